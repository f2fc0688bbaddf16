"""Checks out of the way: check cells collapsed, runs of claim boxes shown as one summary."""

from __future__ import annotations

import ast

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from widthlimits.claims import is_claim_html, records_in

logger = logging.getLogger(__name__)


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
    return is_claim_html(node.astext()) and next(node.findall(nodes.image), None) is None


def _claim_only_bundle(node: nodes.Node) -> bool:
    """Whether an output node (before the mime type is chosen) is a claim box."""
    if node.get("nb_element") != "mime_bundle":
        return False
    return any(
        c.get("mime_type") == "text/html" and is_claim_html(c.astext()) for c in node.children
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
    return sum(len(records_in(r.astext())) for n in nodes_ for r in n.findall(nodes.raw))


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


def setup(app: Sphinx):
    """Check cells collapsed; runs of claim boxes grouped behind one summary line."""
    app.connect("doctree-read", hide_check_cells)
    app.add_post_transform(GroupClaims)
    app.add_node(
        claims_group,
        html=(visit_claims_group, depart_claims_group),
        latex=(_pass, _pass),
        text=(_pass, _pass),
    )
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
