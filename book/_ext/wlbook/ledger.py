"""The claims ledger: claim records collected from every chapter, ``claims.json``, the
``claims-ledger`` and ``mutants-table`` directives."""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.util import logging

from widthlimits.claims import records_in

logger = logging.getLogger(__name__)

LEDGER_DOC = "appendix/claims"


def collect_claims(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if not hasattr(env, "wl_claims"):
        env.wl_claims = {}
    found = []
    for node in doctree.findall(nodes.raw):
        for rec in records_in(node.astext()):
            rec["doc"] = env.docname
            found.append(rec)
    if found:
        env.wl_claims[env.docname] = found
    else:
        env.wl_claims.pop(env.docname, None)


def purge_claims(app, env, docname):
    getattr(env, "wl_claims", {}).pop(docname, None)


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
        carried = sum(bool(m.get("carried_over")) for m in data["mutants"])
        summary = nodes.paragraph(
            text=f"{s['caught']} of {s['mutants']} mutants caught "
            f"({100 * s['rate']:.1f}%) in the last run"
            + (
                f"; {carried} of those results are carried over from the run before their "
                "module moved to its current file (the same planted bug in the same code), and "
                "are marked so."
                if carried
                else "."
            )
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
                if m.get("carried_over"):
                    caught += nodes.Text(" [carried over, not re-run since the move]")
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
        json.dumps({"claims": claims}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    logger.info(f"wrote {len(claims)} claims to {out}")


def setup(app: Sphinx):
    """The claims ledger: records collected from doctrees, ``claims.json``, two directives."""
    app.add_config_value("wl_mutants_results", "book/appendix/mutants.json", "env")
    app.connect("doctree-read", collect_claims)
    app.connect("env-purge-doc", purge_claims)
    app.connect("env-merge-info", merge_claims)
    app.connect("env-get-outdated", ledger_always_outdated)
    app.connect("doctree-resolved", fill_ledger)
    app.connect("build-finished", write_claims_json)
    app.add_node(claims_ledger)
    app.add_directive("claims-ledger", ClaimsLedgerDirective)
    app.add_directive("mutants-table", MutantsTableDirective)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
