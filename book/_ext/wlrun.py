"""Sphinx extension: "Run this chapter" boxes and the whole-book PDF link.

* **Run this chapter.** Every chapter that is a notebook (one that :mod:`wlbook` keys on the
  package, so one whose executed notebook ``wlbook.write_notebooks`` writes to
  ``_sources/<doc>.ipynb``) ends with a box that says how to run it: install the package from the
  repository with the notebook's other imports, download the executed notebook, open it in
  Jupyter. When the doctree is read the box is a placeholder (:class:`run_box`); it becomes an
  admonition when the page is written, with a link relative to the page in HTML and an absolute
  link (``html_baseurl``) in the PDF and every other format.
* **The PDF.** Every HTML page gets a "PDF" button in its header that points at
  ``widthlimits.pdf`` at the site root (``wl_pdf_name``), relative to the page. ``nox -s pdf``
  builds that file and copies it there. The theme's own ".pdf" entry, which prints one page,
  is relabelled so that the two are not confused.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri
from wlbook.digest import chapter_source

IMPORT_RE = re.compile(r"^\s*(?:from|import)\s+(\w+)", re.M)
# What a notebook imports beyond the package and the standard library, mapped to what pip
# installs. ``myst_nb`` provides ``glue``, which puts computed numbers into the text.
PIP_NAMES = {"myst_nb": "myst-nb", "sklearn": "scikit-learn", "torch": None}
# Imports that the package brings (its dependencies) or Jupyter does (IPython).
PROVIDED = {"numpy", "scipy", "matplotlib", "tqdm", "IPython", "__future__"}


class run_box(nodes.General, nodes.Element):
    """Placeholder for a chapter's "Run this chapter" box; filled in at doctree-resolved."""


def notebook_imports(text: str) -> set[str]:
    """Top-level module names imported by the code cells of a MyST notebook's ``text``."""
    from wlbook import CELL_RE

    code = "\n".join(CELL_RE.findall(text))
    return set(IMPORT_RE.findall(code))


def requirements(text: str, package: str = "widthlimits") -> tuple[str, list[str]]:
    """The package extra and the other distributions a notebook needs to run in Jupyter.

    Returns ``(extra, others)``: ``extra`` is ``"[torch]"`` when the notebook imports torch, and
    ``others`` the pip names of the other third-party modules it imports (standard-library
    modules and the package's own dependencies are left out).
    """
    import sys

    found = notebook_imports(text)
    extra = "[torch]" if "torch" in found else ""
    others = sorted(
        PIP_NAMES.get(m) or m
        for m in found
        if m not in PROVIDED
        and m != package
        and m not in sys.stdlib_module_names
        and PIP_NAMES.get(m, m) is not None
    )
    return extra, others


def add_run_box(app: Sphinx, doctree: nodes.document) -> None:
    """Append the placeholder to the first section of every chapter that has a notebook."""
    from wlbook import is_chapter

    docname = app.env.docname
    text = chapter_source(app.env, docname)
    if not text or not is_chapter(app, docname):
        return
    extra, others = requirements(text, Path(app.config.wl_package_dir).name)
    box = run_box("", docname=docname, extra=extra, others=" ".join(others))
    sections = list(doctree.findall(nodes.section))
    (sections[0] if sections else doctree).append(box)


def repository_url(app: Sphinx) -> str:
    url = app.config.wl_repository_url or app.config.html_theme_options.get("repository_url", "")
    return url.rstrip("/")


def install_line(app: Sphinx, extra: str, others: str) -> str:
    package = Path(app.config.wl_package_dir).name
    spec = f'"{package}{extra} @ git+{repository_url(app)}"'
    return " ".join(["pip install", spec, others, "jupyterlab"]).replace("  ", " ")


def notebook_uri(app: Sphinx, page: str, docname: str) -> str:
    """The executed notebook of ``docname``: relative to ``page`` in HTML, absolute elsewhere."""
    target = f"_sources/{docname}.ipynb"
    if app.builder.format == "html" and page:
        return relative_uri(app.builder.get_target_uri(page), target)
    return app.config.html_baseurl.rstrip("/") + "/" + target


def _code(text: str) -> nodes.literal_block:
    block = nodes.literal_block(text, text, language="bash")
    block["classes"].append("wl-run-command")
    return block


def build_box(app: Sphinx, page: str, node: run_box) -> nodes.Element:
    docname = node["docname"]
    name = docname.rsplit("/", 1)[-1] + ".ipynb"
    box = nodes.admonition(classes=["wl-run", "tip"])
    box["ids"].append("run-this-chapter")
    box += nodes.title(text="Run this chapter")
    box += nodes.paragraph(
        text="This chapter is a Jupyter notebook; you can run it, change it and rerun it."
    )
    steps = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".")
    step = nodes.list_item()
    para = nodes.paragraph(text="Install the package from its repository, with Jupyter")
    if node["others"]:
        para += nodes.Text(" and what the notebook imports (")
        para += nodes.literal(text=node["others"])
        para += nodes.Text(")")
    para += nodes.Text(":")
    step += para
    step += _code(install_line(app, node["extra"], node["others"]))
    clone = nodes.paragraph(text="or, from a clone of the repository, ")
    clone += nodes.literal(
        text=f"pip install .{node['extra']} {node['others']} jupyterlab".replace("  ", " ")
    )
    clone += nodes.Text(".")
    step += clone
    steps += step
    step = nodes.list_item()
    para = nodes.paragraph(text="Download the executed notebook: ")
    para += nodes.reference(
        "", name, refuri=notebook_uri(app, page, docname), classes=["wl-run-notebook"]
    )
    para += nodes.Text(" (with the outputs of this page).")
    step += para
    steps += step
    step = nodes.list_item()
    para = nodes.paragraph(text="Open it with ")
    para += nodes.literal(text=f"jupyter lab {name}")
    para += nodes.Text(" and run all cells. Every claim is checked again as it runs.")
    step += para
    steps += step
    box += steps
    return box


def fill_run_boxes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(run_box)):
        node.replace_self(build_box(app, docname, node))


# ----------------------------------------------------------------------------------------------
# The book as one LaTeX document
# ----------------------------------------------------------------------------------------------
def book_structure(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give the assembled LaTeX document the book's structure.

    Sphinx inlines every chapter where the root document's toctrees stand, which is inside the
    root's last section, so chapters would become sections of "Stable labels and citing". Here
    the root's own text becomes one chapter, "About this book", each toctree caption becomes an
    unnumbered part (the captions carry their own numbers: "Part V(a). ..."), the "Appendix"
    part switches to lettered chapters, and each chapter follows its part at chapter level.
    """
    from sphinx import addnodes
    from sphinx.util.texescape import escape

    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    root = app.env.get_doctree(docname)
    parts = [
        (t.get("caption") or "", [str(f) for f in t["includefiles"]])
        for t in root.findall(addnodes.toctree)
    ]
    sofs = {s["docname"]: s for s in doctree.findall(addnodes.start_of_file)}
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None or not parts:
        return
    moved = []
    for caption, files in parts:
        found = [sofs[f] for f in files if f in sofs]
        for sof in found:
            sof.parent.remove(sof)
        if caption and found:
            tex = escape(caption)
            head = "\\appendix\n" if caption.lower().startswith("appendix") else ""
            head += f"\\part*{{{tex}}}\\addcontentsline{{toc}}{{part}}{{{tex}}}\n"
            moved.append(nodes.raw("", head, format="latex"))
        moved += found
    for wrapper in list(top.findall(nodes.compound)):
        if "toctree-wrapper" in wrapper["classes"] and not wrapper.children:
            wrapper.parent.remove(wrapper)
    about = nodes.section(ids=["wl-about-this-book"], names=["about this book"])
    about += nodes.title(text="About this book")
    for child in list(top.children[1:]):
        top.remove(child)
        about += child
    top += about
    top += moved


def label_exercises(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put the label that a solution's title links to on its exercise, in LaTeX.

    sphinx-exercise labels an exercise ``exercise:<label>`` but titles its solution with a link to
    ``<docname>:<label>``, which LaTeX reports as undefined; this adds the second label.
    """
    if app.builder.format != "latex":
        return
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node

    for node in list(
        doctree.findall(lambda n: isinstance(n, exercise_node | exercise_enumerable_node))
    ):
        label, doc = node.get("label"), node.get("docname")
        if label and doc:
            tex = f"\\phantomsection\\label{{\\detokenize{{{doc}:{label}}}}}\n"
            node.parent.insert(node.parent.index(node), nodes.raw("", tex, format="latex"))


def untitled_proofs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Typeset sphinx-proof's proofs as running text ending in a square, in LaTeX.

    A ``prf:proof`` is an admonition without a title ("Proof." starts its text); LaTeX would draw
    it as a box with an empty title bar.
    """
    if app.builder.format != "latex":
        return
    for node in list(doctree.findall(nodes.admonition)):
        if "proof" not in node["classes"] or any(isinstance(c, nodes.title) for c in node.children):
            continue
        children = list(node.children)
        if children and isinstance(children[-1], nodes.paragraph):
            children[-1] += nodes.raw("", r"\hfill\(\square\)", format="latex")
        for child in children:
            child.parent = None
        node.replace_self(children)


# ----------------------------------------------------------------------------------------------
# The whole-book PDF button
# ----------------------------------------------------------------------------------------------
def add_pdf_button(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Put a "PDF" button for the whole book first in the page header (sphinx-book-theme)."""
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    for group in buttons:
        for b in group.get("buttons", []):
            if b.get("label") == "download-pdf-button":
                b["text"] = "print page"
                b["tooltip"] = "Print this page (the whole book is the PDF button)"
    buttons.insert(
        0,
        {
            "type": "link",
            "url": context["pathto"](app.config.wl_pdf_name, 1),
            "text": "PDF",
            "icon": "fas fa-file-pdf",
            "tooltip": "The whole book as one PDF",
            "label": "wl-book-pdf",
        },
    )


def setup(app: Sphinx):
    app.add_config_value("wl_repository_url", "", "env")
    app.add_config_value("wl_pdf_name", "widthlimits.pdf", "html")
    app.add_node(run_box)
    app.connect("doctree-read", add_run_box)
    app.connect("doctree-resolved", fill_run_boxes)
    app.connect("doctree-resolved", label_exercises)
    app.connect("doctree-resolved", untitled_proofs)
    app.connect("doctree-resolved", book_structure)
    # after sphinx-book-theme has made its header buttons (priority 501)
    app.connect("html-page-context", add_pdf_button, priority=600)
    return {
        "version": "1.0",
        "parallel_read_safe": False,
        "parallel_write_safe": True,
        "env_version": 1,
    }
