"""Sphinx extension for the Width Limits book.

It keeps the book's promises that Sphinx and myst-nb do not keep by themselves:

* **No stale results.** jupyter-cache hashes only a notebook's code cells. Before a chapter is
  parsed, :func:`inject_source_digest` appends a hidden cell holding a digest of the
  ``widthlimits`` modules that the chapter imports (transitively), and notes those files as the
  chapter's dependencies. Editing a module makes Sphinx re-read the chapters that depend on it,
  their digest changes, the cache misses, and exactly those chapters execute again.
* **The package being built is the package executed.** The kernels that execute chapters import
  the package from the tree being built: :func:`put_package_first` puts its parent folder
  (``src/``) first on ``PYTHONPATH``, which the kernels inherit, whatever the environment has
  installed. Before the first chapter executes, :func:`check_kernel_package` starts one kernel
  and asks it where the package comes from; if that is not the tree's, the build stops with one
  error that names both paths.
* **The claims ledger.** Every :func:`widthlimits.claims.claim` leaves an HTML record in its cell's
  output. The records are collected from each chapter's doctree (so chapters served from the cache
  count too), written to ``claims.json`` and tabulated by the ``claims-ledger`` directive.
* **Checks out of the way.** A code cell whose results only feed claims and glued numbers (a
  *check cell*, :func:`check_cell_sources`) is collapsed behind a "Show the checks" control
  (:func:`hide_check_cells`), and a run of claim boxes is shown as one summary line
  ("✓ 5 claims checked") that opens to the statements, values and rivals
  (:class:`GroupClaims`).
* **Watch along.** The ``watch`` directive links a chapter to its moments in the talk.
* **Citable chapters.** Each chapter gets ``citation_*`` meta tags and a "Cite this chapter" box.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

CLAIM_RE = re.compile(r'<div class="wl-claim" data-claim="([^"]*)"')
MYSTNB_RE = re.compile(r"^---\s*\n.*?(?:file_format:\s*mystnb|kernelspec:).*?\n---", re.S)
LEDGER_DOC = "appendix/claims"


# ----------------------------------------------------------------------------------------------
# Dependencies of a chapter on the package, and the digest that keys its execution cache
# ----------------------------------------------------------------------------------------------
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
    import_re = re.compile(rf"^\s*(?:from|import)\s+({re.escape(package)}(?:\.[\w.]+)?)", re.M)
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
            KERNEL_PROBE.format(name=package), output_hook=hook, timeout=120, store_history=False
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
        m = re.search(r"^kernelspec:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)", text, re.M)
        check_kernel_package(app, m.group(1) if m else "python3")
        app._wl_kernel_checked = True
    deps = dependencies(text, package_dir)
    if not deps:
        return
    for p in deps:
        app.env.note_dependency(str(p))
    names = ", ".join(p.relative_to(package_dir.parent).as_posix() for p in deps)
    if not hasattr(app.env, "wl_nbsource"):
        app.env.wl_nbsource = {}
    source[0] = (
        text.rstrip("\n")
        + "\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        + f"# Execution-cache key: this chapter depends on {names}\n"
        + f"# whose sources have digest {digest(deps)}.\n```\n"
    )
    app.env.wl_nbsource[docname] = source[0]


# ----------------------------------------------------------------------------------------------
# Claims
# ----------------------------------------------------------------------------------------------
def collect_claims(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if not hasattr(env, "wl_claims"):
        env.wl_claims = {}
    found = []
    for node in doctree.findall(nodes.raw):
        for m in CLAIM_RE.finditer(node.astext()):
            rec = json.loads(html.unescape(m.group(1)))
            rec["doc"] = env.docname
            found.append(rec)
    if found:
        env.wl_claims[env.docname] = found
    else:
        env.wl_claims.pop(env.docname, None)


def purge_claims(app, env, docname):
    getattr(env, "wl_claims", {}).pop(docname, None)
    getattr(env, "wl_nbsource", {}).pop(docname, None)


def merge_claims(app, env, docnames, other):
    if not hasattr(env, "wl_claims"):
        env.wl_claims = {}
    env.wl_claims.update(getattr(other, "wl_claims", {}))


def all_claims(env) -> list[dict]:
    """Every recorded claim, in the book's reading order."""
    order = {d: k for k, d in enumerate(_toc_order(env))}
    claims = []
    for doc in sorted(getattr(env, "wl_claims", {}), key=lambda d: (order.get(d, 10**9), d)):
        claims.extend(env.wl_claims[doc])
    return claims


def _toc_order(env) -> list[str]:
    out: list[str] = []

    def walk(doc):
        if doc in out:
            return
        out.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return out


class claims_ledger(nodes.General, nodes.Element):
    pass


class ClaimsLedgerDirective(Directive):
    has_content = False

    def run(self):
        return [claims_ledger("")]


LEDGER_COLUMNS = (
    ("Claim", 19),
    ("Statement", 39),
    ("Value", 10),
    ("Expectation", 14),
    ("Rival", 11),
    ("Status", 7),
)


def statement_nodes(text: str) -> list[nodes.Node]:
    """A claim statement as text and inline math nodes (``$...$``), typeset like the prose."""
    from widthlimits.claims import split_tex

    return [
        nodes.math(piece, piece) if kind == "math" else nodes.Text(piece)
        for kind, piece in split_tex(text)
    ]


def ledger_value(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def ledger_table(claims: list[dict]) -> nodes.table:
    """One chapter's claims: id, statement, value, expectation, rivals and status."""
    table = nodes.table(classes=["wl-ledger", "colwidths-given"])
    tgroup = nodes.tgroup(cols=len(LEDGER_COLUMNS))
    table += tgroup
    for _, width in LEDGER_COLUMNS:
        tgroup += nodes.colspec(colwidth=width)
    head = nodes.thead()
    tgroup += head
    row = nodes.row()
    for title, _ in LEDGER_COLUMNS:
        row += nodes.entry("", nodes.paragraph(text=title))
    head += row
    body = nodes.tbody()
    tgroup += body
    for c in claims:
        status = "passed" if c["passed"] else "failed"
        row = nodes.row(classes=["wl-ledger-row", f"wl-status-{status}"])
        row += nodes.entry("", nodes.paragraph("", "", nodes.literal(text=c["id"])))
        row += nodes.entry("", nodes.paragraph("", "", *statement_nodes(c["statement"])))
        row += nodes.entry("", nodes.paragraph(text=ledger_value(c["value"])))
        row += nodes.entry("", nodes.paragraph(text=c["expectation"].removeprefix("expected ")))
        row += nodes.entry("", nodes.paragraph(text=ledger_rival(c)))
        row += nodes.entry(
            "",
            nodes.paragraph(text="✓ passed" if c["passed"] else "✗ FAILED"),
            classes=[f"wl-status-{status}"],
        )
        body += row
    return table


LEDGER_FILTER = (
    '<form class="wl-ledger-filter" role="search" aria-label="Filter the claims" '
    'onsubmit="return false">'
    '<label>Find <input type="search" id="wl-ledger-q" '
    'placeholder="id, words of the statement, chapter"></label> '
    '<label>Status <select id="wl-ledger-status">'
    '<option value="">any</option><option value="passed">passed</option>'
    '<option value="failed">failed</option></select></label> '
    '<output id="wl-ledger-count" aria-live="polite"></output></form>'
)


def fill_ledger(app: Sphinx, doctree, docname: str) -> None:
    for node in list(doctree.findall(claims_ledger)):
        claims = all_claims(app.env)
        by_doc: dict[str, list[dict]] = {}
        for c in claims:
            by_doc.setdefault(c["doc"], []).append(c)
        windows = [c for c in claims if c.get("kind", "exact") != "exact"]
        out = [
            nodes.paragraph(
                text=f"{len(claims)} claims in {len(by_doc)} chapters; "
                f"{sum(c['passed'] for c in claims)} passed. {len(windows)} have a window or a "
                f"bound, and every one of them names a rival outside it; the other "
                f"{len(claims) - len(windows)} are exact."
            ),
            nodes.raw("", LEDGER_FILTER, format="html"),
        ]
        for doc, found in by_doc.items():
            title = app.env.titles[doc].astext() if doc in app.env.titles else doc
            ref = nodes.reference("", title, internal=True)
            ref["refuri"] = app.builder.get_relative_uri(docname, doc)
            heading = nodes.paragraph(classes=["wl-ledger-chapter"])
            heading += nodes.strong("", "", ref)
            n = len(found)
            heading += nodes.Text(": ")
            heading += nodes.inline(text=str(n), classes=["wl-ledger-n"])
            heading += nodes.Text(f" claim{'s' if n != 1 else ''}")
            group = nodes.container(classes=["wl-ledger-group"])
            group += [heading, ledger_table(found)]
            out.append(group)
        node.replace_self(out)


def ledger_rival(c: dict) -> str:
    """The rivals of a claim record and how far outside the window the nearest lies."""
    rivals = c.get("rival") or []
    if not rivals:
        return "none needed (exact)" if c.get("kind", "exact") == "exact" else "NONE"
    text = ", ".join(f"{r:.6g}" for r in rivals)
    if c.get("separation") is not None:
        text += f" ({c['separation']:.3g} half-widths out)"
    return text


def claim_problems(c: dict) -> list[str]:
    """What makes a recorded claim unable to fail: a window with no rival outside it."""
    problems = []
    if (
        c.get("kind", "exact") != "exact"
        or c.get("atol")
        or c.get("rtol")
        or c.get("lower") is not None
        or c.get("upper") is not None
    ):
        if not c.get("rival"):
            problems.append("has a window but no rival")
        elif not c.get("discriminates", False):
            problems.append("has a rival inside its window")
    return problems


class MutantsTableDirective(Directive):
    """``mutants-table``: the table of the last ``nox -s mutants`` run, read from its results file
    (``wl_mutants_results``, relative to ``conf.py``). The build never runs mutants."""

    has_content = False

    def run(self):
        env = self.state.document.settings.env
        path = Path(env.app.confdir) / env.config.wl_mutants_results
        if not path.exists():
            raise self.error(f"mutants-table: no results file {path}; run `nox -s mutants`")
        env.note_dependency(str(path))
        data = json.loads(path.read_text(encoding="utf-8"))
        s = data["summary"]
        summary = nodes.paragraph(
            text=f"{s['caught']} of {s['mutants']} mutants caught "
            f"({100 * s['rate']:.1f}%) in the last run."
        )
        table = nodes.table(classes=["wl-mutants"])
        tgroup = nodes.tgroup(cols=4)
        table += tgroup
        for w in (20, 46, 22, 12):
            tgroup += nodes.colspec(colwidth=w)
        head = nodes.thead()
        tgroup += head
        row = nodes.row()
        for title in ("Mutant", "The planted bug", "Caught by", "Module"):
            row += nodes.entry("", nodes.paragraph(text=title))
        head += row
        body = nodes.tbody()
        tgroup += body
        for m in data["mutants"]:
            row = nodes.row()
            row += nodes.entry("", nodes.paragraph("", "", nodes.literal(text=m["id"])))
            row += nodes.entry("", nodes.paragraph(text=m["why"]))
            if m["caught_by"]:
                caught = nodes.paragraph(text=f"{m['caught_by']} ")
                caught += nodes.literal(text=m["detail"])
                caught += nodes.Text(f" ({m['where']})")
            else:
                caught = nodes.paragraph(text="survived")
            row += nodes.entry("", caught)
            row += nodes.entry("", nodes.paragraph("", "", nodes.literal(text=m["file"])))
            body += row
        return [summary, table]


def ledger_always_outdated(app, env, added, changed, removed):
    if (added or changed or removed) and LEDGER_DOC in env.found_docs:
        return [LEDGER_DOC]
    return []


def write_claims_json(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    claims = all_claims(app.env)
    ids: dict[str, str] = {}
    for c in claims:
        if c["id"] in ids:
            logger.warning(f"claim id {c['id']!r} is used twice: in {ids[c['id']]} and {c['doc']}")
        ids[c["id"]] = c["doc"]
        if not c["passed"]:
            logger.warning(f"claim {c['id']!r} in {c['doc']} did not pass")
        for problem in claim_problems(c):
            logger.warning(f"claim {c['id']!r} in {c['doc']} cannot fail: it {problem}")
    out = Path(app.outdir) / "claims.json"
    out.write_text(
        json.dumps({"claims": claims}, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    logger.info(f"wrote {len(claims)} claims to {out}")


# ----------------------------------------------------------------------------------------------
# Checks out of the way: collapsed check cells, and runs of claims as one summary
# ----------------------------------------------------------------------------------------------
CHECK_CALLS = frozenset({"claim", "glue"})
SHOWING_CALLS = frozenset({"print", "display", "show", "subplots", "figure", "plot", "imshow"})


def _call_name(func: ast.expr) -> str | None:
    return getattr(func, "id", None) or getattr(func, "attr", None)


def _cell_facts(code: str) -> dict | None:
    """What a cell calls, binds and reads; None if it is not plain Python."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    calls = {_call_name(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    last = tree.body[-1] if tree.body else None
    trailing = isinstance(last, ast.Expr) and not (
        isinstance(last.value, ast.Call) and _call_name(last.value.func) in CHECK_CALLS
    )
    bound: set[str] = set()
    loads: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            (bound if isinstance(n.ctx, ast.Store) else loads).add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in n.names}
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
    return {
        "checks": bool(calls & CHECK_CALLS),
        "shows": bool(calls & SHOWING_CALLS) or trailing,
        "bound": bound,
        "free": loads - bound,
    }


def check_cell_sources(sources: list[str], shows: list[bool] | None = None) -> list[bool]:
    """Which of a notebook's code cells (in order) are *check cells*.

    A check cell calls :func:`~widthlimits.claims.claim` or ``glue``, shows nothing else (no
    figure, print or trailing value; ``shows[i]`` may add what its outputs reveal), and binds no
    name that a later cell which is not itself a check cell reads. Its results reach the reader
    only as claims and glued numbers, so its code can wait behind "Show the checks".
    """
    shows = shows or [False] * len(sources)
    out = [False] * len(sources)
    read_later: set[str] = set()
    for i in range(len(sources) - 1, -1, -1):
        facts = _cell_facts(sources[i])
        if facts is None:
            continue
        out[i] = (
            facts["checks"]
            and not facts["shows"]
            and not shows[i]
            and not (facts["bound"] & read_later)
        )
        if not out[i]:
            read_later |= facts["free"]
    return out


def _is_claim_output(node: nodes.Node) -> bool:
    return 'class="wl-claim"' in node.astext() and next(node.findall(nodes.image), None) is None


def _claim_only_bundle(node: nodes.Node) -> bool:
    """Whether an output node (before the mime type is chosen) is a claim box."""
    if node.get("nb_element") != "mime_bundle":
        return False
    return any(
        c.get("mime_type") == "text/html" and 'class="wl-claim"' in c.astext()
        for c in node.children
    )


def hide_check_cells(app: Sphinx, doctree: nodes.document) -> None:
    """Collapse the input of every check cell behind "Show the checks"."""
    cells = [
        n
        for n in doctree.findall(nodes.container)
        if n.get("nb_element") == "cell_code"
        and n.children
        and n.children[0].get("nb_element") == "cell_code_source"
    ]
    if not cells:
        return
    sources, shows = [], []
    for cell in cells:
        sources.append(cell.children[0].astext())
        meta = cell.get("cell_metadata", {}) or {}
        outputs = [
            c
            for n in cell.children[1:]
            if n.get("nb_element") == "cell_code_output"
            for c in n.children
        ]
        figure = bool((meta.get("mystnb") or {}).get("figure"))
        shows.append(
            figure
            or cell.get("hide_mode") is not None
            or any(not _claim_only_bundle(o) for o in outputs)
        )
    for cell, is_check in zip(cells, check_cell_sources(sources, shows), strict=True):
        if is_check:
            cell["hide_mode"] = "input"
            cell["prompt_show"] = "Show the checks"
            cell["prompt_hide"] = "Hide the checks"
            cell["classes"].append("wl-check-cell")


class claims_group(nodes.General, nodes.Element):
    """A run of claim boxes (and the check cells around them) behind one summary line."""


def visit_claims_group(self, node: claims_group) -> None:
    n = node["count"]
    self.body.append(
        '<details class="wl-claims">'
        f'<summary><span class="wl-claims-mark" aria-hidden="true">&#10003;</span> '
        f"{n} claim{'s' if n != 1 else ''} checked"
        '<span class="wl-claims-hint"> (statements, values, rivals)</span></summary>'
        '<div class="wl-claims-body">'
    )


def depart_claims_group(self, node: claims_group) -> None:
    self.body.append("</div></details>")


def _pass(self, node):
    pass


def _count_claims(nodes_: list[nodes.Node]) -> int:
    return sum(len(CLAIM_RE.findall(r.astext())) for n in nodes_ for r in n.findall(nodes.raw))


class GroupClaims(SphinxPostTransform):
    """Wrap each run of check cells, and each run of claim boxes in another cell's output, in a
    :class:`claims_group`. Runs after myst-nb has chosen the mime types and hidden inputs."""

    default_priority = 210
    formats = ("html",)

    def run(self, **kwargs) -> None:
        parents = {
            id(n.parent): n.parent
            for n in self.document.findall(nodes.container)
            if n.get("nb_element") == "cell_code" and n.parent is not None
        }
        for parent in parents.values():
            self._group(parent, lambda c: "wl-check-cell" in c.get("classes", []))
        for cell in list(self.document.findall(nodes.container)):
            if cell.get("nb_element") == "cell_code_output" and "wl-check-cell" not in (
                cell.parent.get("classes", []) if cell.parent is not None else []
            ):
                self._group(cell, _is_claim_output)

    @staticmethod
    def _group(parent: nodes.Element, member) -> None:
        runs, run = [], []
        for child in list(parent.children):
            if isinstance(child, nodes.Element) and member(child):
                run.append(child)
            else:
                if run:
                    runs.append(run)
                run = []
        if run:
            runs.append(run)
        for run in runs:
            count = _count_claims(run)
            if not count:
                continue
            group = claims_group(count=count)
            parent.insert(parent.index(run[0]), group)
            for child in run:
                parent.remove(child)
                group += child


# ----------------------------------------------------------------------------------------------
# Watch along
# ----------------------------------------------------------------------------------------------
TIME_RE = re.compile(r"^\s*(\d+):(\d\d):(\d\d)\s+(.+?)\s*$")


def seconds(stamp: str) -> int:
    h, m, s = (int(x) for x in stamp.split(":"))
    return 3600 * h + 60 * m + s


class WatchDirective(Directive):
    """``watch``: link to the moments of the talk that a chapter covers.

    Each content line is ``H:MM:SS Title``.
    """

    has_content = True

    def run(self):
        env = self.state.document.settings.env
        url = env.config.wl_talk_url
        if not self.content:
            raise self.error("watch needs at least one line 'H:MM:SS Title'")
        box = nodes.admonition(classes=["wl-watch", "tip"])
        box += nodes.title(text="Watch along")
        para = nodes.paragraph(text="This chapter follows the talk at ")
        for i, line in enumerate(self.content):
            m = TIME_RE.match(line)
            if not m:
                raise self.error(f"watch: expected 'H:MM:SS Title', got {line!r}")
            stamp = f"{int(m.group(1))}:{m.group(2)}:{m.group(3)}"
            if i:
                para += nodes.Text("; " if i < len(self.content) - 1 else " and ")
            para += nodes.reference(
                "", f"{stamp} ({m.group(4)})", refuri=f"{url}?t={seconds(stamp)}"
            )
        para += nodes.Text(".")
        box += para
        return [box]


# ----------------------------------------------------------------------------------------------
# Links from a chapter to the package functions it calls
# ----------------------------------------------------------------------------------------------
CELL_RE = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)


def called_objects(code: str, package: str) -> list[str]:
    """Fully qualified names of the package's functions and classes that ``code`` uses."""
    import importlib

    aliases: dict[str, str] = {}
    for mod, names in re.findall(
        rf"^\s*from\s+({package}(?:\.\w+)*)\s+import\s+([^\n#]+)", code, re.M
    ):
        for item in names.strip("() ").split(","):
            name, _, alias = item.strip().partition(" as ")
            if name:
                aliases[(alias or name).strip()] = f"{mod}.{name.strip()}"
    for mod, alias in re.findall(
        rf"^\s*import\s+({package}(?:\.\w+)*)(?:\s+as\s+(\w+))?", code, re.M
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

    text = getattr(app.env, "wl_nbsource", {}).get(app.env.docname)
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
    for docname, text in sorted(getattr(app.env, "wl_nbsource", {}).items()):
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


# ----------------------------------------------------------------------------------------------
# Citable chapters
# ----------------------------------------------------------------------------------------------
def is_chapter(app: Sphinx, docname: str) -> bool:
    return any(docname.startswith(p + "/") for p in app.config.wl_chapter_folders)


def bibtex_for(app: Sphinx, docname: str, title: str) -> str:
    cfg = app.config
    url = cfg.html_baseurl.rstrip("/") + "/" + docname + ".html"
    key = "widthlimits-" + re.sub(r"[^a-z0-9]+", "-", docname.lower()).strip("-")
    authors = " and ".join(cfg.wl_authors)
    return (
        f"@incollection{{{key},\n"
        f"  title     = {{{title}}},\n"
        f"  author    = {{{authors}}},\n"
        f"  booktitle = {{{cfg.project}: an executable textbook}},\n"
        f"  year      = {{{cfg.wl_year}}},\n"
        f"  edition   = {{{cfg.release}}},\n"
        f"  url       = {{{url}}}\n"
        f"}}"
    )


def page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if doctree is None or not is_chapter(app, pagename):
        return
    if pagename in getattr(app.env, "wl_nbsource", {}):
        context["ipynb_source"] = f"{pagename}.ipynb"
    cfg = app.config
    title = re.sub(r"<[^>]+>", "", context.get("title", ""))
    title = html.unescape(title)
    url = cfg.html_baseurl.rstrip("/") + "/" + pagename + ".html"
    tags = [
        ("citation_title", title),
        ("citation_book_title", cfg.project),
        ("citation_publication_date", str(cfg.wl_year)),
        ("citation_public_url", url),
        ("citation_version", cfg.release),
    ]
    tags += [("citation_author", a) for a in cfg.wl_authors]
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<meta name="{k}" content="{html.escape(v, quote=True)}" />' for k, v in tags
    )
    bib = html.escape(bibtex_for(app, pagename, title))
    context["body"] = context.get("body", "") + (
        '<section class="wl-cite" aria-label="Cite this chapter">'
        "<h2>Cite this chapter</h2>"
        f'<div class="highlight"><pre id="wl-bibtex">{bib}</pre></div>'
        "</section>"
    )


def setup(app: Sphinx):
    app.add_config_value("wl_package_dir", "src/widthlimits", "env")
    app.add_config_value("wl_talk_url", "https://youtu.be/1aXOXHA7Jcw", "env")
    app.add_config_value("wl_chapter_folders", [], "env")
    app.add_config_value("wl_authors", ["The Width Limits authors"], "env")
    app.add_config_value("wl_year", 2026, "env")
    app.add_config_value("wl_mutants_results", "book/appendix/mutants.json", "env")
    app.connect("config-inited", put_package_first)
    app.connect("source-read", inject_source_digest)
    app.connect("doctree-read", collect_claims)
    app.connect("env-purge-doc", purge_claims)
    app.connect("env-merge-info", merge_claims)
    app.connect("env-get-outdated", ledger_always_outdated)
    app.connect("doctree-resolved", fill_ledger)
    app.connect("build-finished", write_claims_json)
    app.connect("html-page-context", page_context, priority=100)
    app.connect("doctree-read", add_code_links)
    app.connect("build-finished", write_notebooks)
    app.connect("doctree-read", hide_check_cells)
    app.add_post_transform(GroupClaims)
    app.add_node(claims_ledger)
    app.add_node(
        claims_group,
        html=(visit_claims_group, depart_claims_group),
        latex=(_pass, _pass),
        text=(_pass, _pass),
    )
    app.add_directive("claims-ledger", ClaimsLedgerDirective)
    app.add_directive("watch", WatchDirective)
    app.add_directive("mutants-table", MutantsTableDirective)
    return {
        "version": "1.0",
        "parallel_read_safe": False,
        "parallel_write_safe": True,
        "env_version": 1,
    }
