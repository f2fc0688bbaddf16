"""Links from a chapter to the package functions it calls, and its executed notebook for
download."""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from .citation import is_chapter
from .digest import chapter_source, chapter_sources

logger = logging.getLogger(__name__)


CELL_RE = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)


def called_objects(code: str, package: str) -> list[str]:
    """Fully qualified names of the package's functions and classes that ``code`` uses."""
    import importlib

    aliases: dict[str, str] = {}
    for mod, names in re.findall(
        rf"^\s*from\s+({package}(?:\.\w+)*)\s+import\s+([^\n#]+)", code, re.MULTILINE
    ):
        for item in names.strip("() ").split(","):
            name, _, alias = item.strip().partition(" as ")
            if name:
                aliases[(alias or name).strip()] = f"{mod}.{name.strip()}"
    for mod, alias in re.findall(
        rf"^\s*import\s+({package}(?:\.\w+)*)(?:\s+as\s+(\w+))?", code, re.MULTILINE
    ):
        aliases[alias or mod] = mod
    found: set[str] = set()
    for alias, target in aliases.items():
        found.add(target)
        for attr in re.findall(rf"(?<![\w.]){re.escape(alias)}\.(\w+)", code):
            found.add(f"{target}.{attr}")
    out = []
    for name in sorted(found):
        mod, _, attr = name.rpartition(".")
        try:
            obj = getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError, ValueError):
            continue
        if callable(obj) and getattr(obj, "__module__", "").startswith(package):
            out.append(f"{obj.__module__}.{obj.__qualname__}")
    return sorted(set(out))


def add_code_links(app: Sphinx, doctree: nodes.document) -> None:
    from sphinx import addnodes

    text = chapter_source(app.env, app.env.docname)
    if not text or not is_chapter(app, app.env.docname):
        return
    code = "\n".join(CELL_RE.findall(text))
    names = called_objects(code, Path(app.config.wl_package_dir).name)
    if not names:
        return
    para = nodes.paragraph(classes=["wl-code-links"])
    para += nodes.strong(text="Code used in this chapter: ")
    for i, name in enumerate(names):
        if i:
            para += nodes.Text(", ")
        xref = addnodes.pending_xref(
            "",
            refdomain="py",
            reftype="obj",
            reftarget=name,
            refexplicit=False,
            refwarn=True,
            refdoc=app.env.docname,
        )
        xref += nodes.literal(text=name.removeprefix("widthlimits."), classes=["xref", "py"])
        para += xref
    para += nodes.Text(".")
    sections = list(doctree.findall(nodes.section))
    (sections[0] if sections else doctree).append(para)


def write_notebooks(app: Sphinx, exception) -> None:
    """Write each chapter's *executed* notebook to ``_sources/<doc>.ipynb`` for download."""
    if exception is not None or app.builder.format != "html":
        return
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    for docname, text in sorted(chapter_sources(app.env).items()):
        if docname not in app.env.found_docs:
            continue
        nb = read_myst_markdown_notebook(text)
        try:
            _, nb = cache.merge_match_into_notebook(nb)
        except KeyError:
            logger.warning(f"no executed notebook in the cache for {docname}")
            continue
        out = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(out))


def setup(app: Sphinx):
    """Code links under each cell, and each chapter as a Jupyter notebook to download."""
    app.connect("doctree-read", add_code_links)
    app.connect("build-finished", write_notebooks)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
