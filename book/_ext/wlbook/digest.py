"""No stale results, and the package being built is the package executed."""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

MYSTNB_RE = re.compile(r"^---\s*\n.*?(?:file_format:\s*mystnb|kernelspec:).*?\n---", re.DOTALL)


def module_files(package_dir: Path) -> dict[str, Path]:
    """Map every module name of the package in ``package_dir`` to its source file."""
    root = package_dir.name
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir).with_suffix("")
        parts = [root, *rel.parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports_of(path: Path, name: str, package: str) -> set[str]:
    """The package's modules that the module ``name`` at ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found |= {f"{mod}.{a.name}" for a in node.names}
    return {m for m in found if m == package or m.startswith(package + ".")}


def dependencies(code: str, package_dir: Path) -> list[Path]:
    """Source files of ``package_dir`` that ``code`` imports, directly or through other modules.

    A package's ``__init__`` is a dependency of everything imported from it.
    """
    files = module_files(package_dir)
    package = package_dir.name
    import_re = re.compile(
        rf"^\s*(?:from|import)\s+({re.escape(package)}(?:\.[\w.]+)?)", re.MULTILINE
    )
    todo = set(import_re.findall(code))
    for m in list(todo):  # ``from widthlimits import rmt`` names a module too
        for names in re.findall(rf"from\s+{re.escape(m)}\s+import\s+(\([^)]*\)|[^\n#]+)", code):
            for x in names.strip("() \n").split(","):
                x = x.split(" as ")[0].strip()
                if x:
                    todo.add(f"{m}.{x}")
    seen: set[str] = set()
    while todo:
        mod = todo.pop()
        # a name imported from a module is not itself a module: fall back to its parents
        while mod and mod not in files:
            mod = mod.rpartition(".")[0]
        if not mod or mod in seen:
            continue
        seen.add(mod)
        parts = mod.split(".")
        todo |= {".".join(parts[:i]) for i in range(1, len(parts))}
        todo |= _imports_of(files[mod], mod, package) - seen
    return sorted(files[m] for m in seen)


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def package_dir_of(app: Sphinx) -> Path:
    """The package folder of the tree being built (``wl_package_dir``, relative to ``conf.py``)."""
    package_dir = Path(app.config.wl_package_dir)
    if not package_dir.is_absolute():
        package_dir = Path(app.confdir) / package_dir
    return package_dir.resolve()


def put_package_first(app: Sphinx, config) -> None:
    """Put the folder holding the tree's package first on ``PYTHONPATH`` (and ``sys.path``).

    The notebook kernels are child processes and inherit the variable, so ``import widthlimits``
    in a chapter finds the tree's sources before any installed copy.
    """
    import os
    import sys

    parent = str(package_dir_of(app).parent)
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != parent]
    os.environ["PYTHONPATH"] = os.pathsep.join([parent, *rest])
    if parent in sys.path:
        sys.path.remove(parent)
    sys.path.insert(0, parent)


KERNEL_PROBE = (
    "import importlib, os\n"
    "print('WLPKG=' + os.path.dirname(importlib.import_module({name!r}).__file__))"
)


def kernel_package_path(kernel_name: str, package: str, cwd: str) -> str:
    """Start the kernel ``kernel_name`` and return the folder it imports ``package`` from."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name=kernel_name, cwd=cwd)
    out: list[str] = []

    def hook(msg):
        content = msg.get("content", {})
        if msg.get("msg_type") == "stream":
            out.append(content.get("text", ""))
        elif msg.get("msg_type") == "error":
            out.append("ERROR " + content.get("ename", "") + ": " + content.get("evalue", ""))

    try:
        kc.execute_interactive(
            KERNEL_PROBE.format(name=package),
            output_hook=hook,
            timeout=120,
            store_history=False,
        )
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    text = "".join(out)
    m = re.search(r"WLPKG=(.*)", text)
    return m.group(1).strip() if m else f"nowhere ({text.strip() or 'no output'})"


def check_kernel_package(app: Sphinx, kernel_name: str) -> None:
    """Stop the build unless the chapters' kernel imports the package from the tree being built."""
    from sphinx.errors import ExtensionError

    expected = package_dir_of(app)
    got = kernel_package_path(kernel_name, expected.name, str(app.srcdir))
    if got.startswith("nowhere") or Path(got).resolve() != expected:
        raise ExtensionError(
            f"{expected.name} imported from {got}; expected {expected}. The chapters would "
            f"execute another copy of the package than the one whose sources key their cache. "
            f"Check PYTHONPATH and the '{kernel_name}' kernelspec."
        )


def inject_source_digest(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if not MYSTNB_RE.match(text):
        return
    package_dir = package_dir_of(app)
    if not getattr(app, "_wl_kernel_checked", False):
        m = re.search(r"^kernelspec:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)", text, re.MULTILINE)
        check_kernel_package(app, m.group(1) if m else "python3")
        app._wl_kernel_checked = True
    deps = dependencies(text, package_dir)
    if not deps:
        return
    for p in deps:
        app.env.note_dependency(str(p))
    names = ", ".join(p.relative_to(package_dir.parent).as_posix() for p in deps)
    source[0] = (
        text.rstrip("\n")
        + "\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        + f"# Execution-cache key: this chapter depends on {names}\n"
        + f"# whose sources have digest {digest(deps)}.\n```\n"
    )
    _sources(app.env)[docname] = source[0]


def _sources(env) -> dict[str, str]:
    if not hasattr(env, "wl_nbsource"):
        env.wl_nbsource = {}
    return env.wl_nbsource


def chapter_source(env, docname: str) -> str | None:
    """The MyST source of an executed chapter, with its digest cell, as the kernel ran it."""
    return _sources(env).get(docname)


def chapter_sources(env) -> dict[str, str]:
    """Every executed chapter's source, by docname (a copy: this module owns the state)."""
    return dict(_sources(env))


def _purge(app, env, docname) -> None:
    _sources(env).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    _sources(env).update({d: s for d, s in _sources(other).items() if d in docnames})


def setup(app: Sphinx):
    """The source digest: the tree's package first, and each chapter keyed on its modules."""
    app.add_config_value("wl_package_dir", "src/widthlimits", "env")
    app.connect("config-inited", put_package_first)
    app.connect("source-read", inject_source_digest)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
