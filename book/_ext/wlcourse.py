"""Sphinx extension: the book as a course.

* **Where am I.** Every document listed under a ``Part ...`` caption of the root document's
  toctrees gets a line under its title, "Part III · chapter 2 of 4 · 14 min read", computed from
  the toctree captions and the chapter's own text.
* **Reading times.** At ``doctree-read`` each document's prose words (code, outputs and math
  blocks left out) and figures are counted; the reading time is one minute per
  ``wl_words_per_minute`` words plus ``wl_minutes_per_figure`` per figure, rounded up.
* **The course map.** The ``course-map`` directive lists the parts with their chapters, each with
  its reading time, and the total of each part.
* **An A-Z index of the glossary.** The ``glossary-index`` directive, on the page that holds the
  glossary, lists every term alphabetically with a link to its entry.
* **Hover previews.** After an HTML build the glossary's definitions are written, rendered, to
  ``_static/wlglossary-data.js``; ``wlglossary.js`` shows them in a tooltip when a reader hovers
  over or focuses a ``{term}`` link. Everything is served from the site itself.
"""

from __future__ import annotations

import copy
import json
import math
import re
import unicodedata
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Nodes whose text is not read as prose.
SKIPPED = (nodes.literal_block, nodes.raw, nodes.math_block, nodes.comment, nodes.doctest_block)
PART_RE = re.compile(r"^(Part\s+[IVXLC]+(?:\([a-z]\))?)\.?\s*(.*)$")
WORD_RE = re.compile(r"[^\W_][\w'’-]*")


# ----------------------------------------------------------------------------------------------
# Pure logic (tested in tests/test_course.py)
# ----------------------------------------------------------------------------------------------
def reading_minutes(words: int, figures: int, wpm: float = 200.0, per_figure: float = 1.0) -> int:
    """Minutes to read ``words`` words and look at ``figures`` figures, rounded up, at least 1.

    >>> reading_minutes(1000, 3)
    8
    >>> reading_minutes(0, 0)
    1
    """
    if words < 0 or figures < 0:
        raise ValueError(f"words and figures must be >= 0, got {words} and {figures}")
    if wpm <= 0:
        raise ValueError(f"wpm must be positive, got {wpm}")
    return max(1, math.ceil(words / wpm + figures * per_figure - 1e-9))


def count_prose(doctree: nodes.Node) -> tuple[int, int]:
    """The number of prose words and of figures in a doctree.

    Words are counted in text outside code blocks, raw output (such as the claims' HTML), display
    math and comments; inline math counts as text. A figure is an image.
    """
    words = 0

    def walk(node):
        nonlocal words
        if isinstance(node, SKIPPED):
            return
        if isinstance(node, nodes.Text):
            words += len(WORD_RE.findall(str(node)))
            return
        for child in node.children:
            walk(child)

    walk(doctree)
    figures = sum(1 for _ in doctree.findall(nodes.image))
    return words, figures


def part_label(caption: str) -> str | None:
    """The short name of a part from its toctree caption: "Part III" for "Part III. Random ..."

    Captions that do not start with "Part" (the appendix) are not parts: ``None``.

    >>> part_label("Part V(a). Networks, kernels and the NTK"), part_label("Appendix")
    ('Part V(a)', None)
    """
    m = PART_RE.match(caption.strip())
    return m.group(1) if m else None


def part_title(caption: str) -> str:
    """The title of a part from its caption: "Random matrix theory" for "Part III. Random ..."."""
    m = PART_RE.match(caption.strip())
    return (m.group(2) or caption) if m else caption


def positions(parts: list[tuple[str, list[str]]]) -> dict[str, tuple[str, int, int]]:
    """Where each document sits: ``{doc: (part label, index from 1, number of chapters)}``.

    Only parts whose caption is a "Part ..." count; a document listed twice keeps its first
    place.

    >>> positions([("Part I. Intro", ["a", "b"]), ("Appendix", ["z"]), ("Part II. X", ["c"])])
    {'a': ('Part I', 1, 2), 'b': ('Part I', 2, 2), 'c': ('Part II', 1, 1)}
    """
    out: dict[str, tuple[str, int, int]] = {}
    for caption, docs in parts:
        label = part_label(caption)
        if label is None:
            continue
        for i, doc in enumerate(docs, start=1):
            out.setdefault(doc, (label, i, len(docs)))
    return out


def where_text(label: str, index: int, total: int, minutes: int | None) -> str:
    """The line under a chapter's title.

    >>> where_text("Part III", 2, 4, 14)
    'Part III · chapter 2 of 4 · 14 min read'
    """
    text = f"{label} · chapter {index} of {total}"
    return text + (f" · {minutes} min read" if minutes is not None else "")


def sort_key(term: str) -> str:
    """The alphabetical key of a glossary term: case and accents ignored, µ read as "mu"."""
    t = term.strip().replace("µ", "mu").replace("μ", "mu")
    t = unicodedata.normalize("NFKD", t)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return t.casefold()


def initial(term: str) -> str:
    """The letter a term is filed under: "M" for "µP", "#" for a term that starts with no letter.

    >>> initial("µTransfer"), initial("abc-parametrization"), initial("2-norm")
    ('M', 'A', '#')
    """
    key = sort_key(term)
    return key[0].upper() if key and "a" <= key[0] <= "z" else "#"


def az_index(terms: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Group ``(term, anchor)`` pairs by initial letter, each group sorted; letters in order.

    Exact duplicates are dropped.

    >>> az_index([("NTK", "t1"), ("abc", "t2"), ("Neural net", "t3"), ("µP", "t4")])
    [('A', [('abc', 't2')]), ('M', [('µP', 't4')]), ('N', [('Neural net', 't3'), ('NTK', 't1')])]
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for term, anchor in dict.fromkeys(terms):
        groups.setdefault(initial(term), []).append((term, anchor))
    return [
        (letter, sorted(items, key=lambda x: (sort_key(x[0]), x[0])))
        for letter, items in sorted(groups.items(), key=lambda kv: (kv[0] == "#", kv[0]))
    ]


def glossary_terms(doctree: nodes.Node) -> list[tuple[list[tuple[str, str]], nodes.Element]]:
    """The entries of every glossary in a doctree: ``([(term, anchor), ...], definition)``."""
    out = []
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            terms = [(t.astext(), t["ids"][0]) for t in item.findall(nodes.term) if t["ids"]]
            defs = list(item.findall(nodes.definition))
            if terms and defs:
                out.append((terms, defs[0]))
    return out


# ----------------------------------------------------------------------------------------------
# Collecting: words, figures and the parts
# ----------------------------------------------------------------------------------------------
def collect(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if not hasattr(env, "wl_reading"):
        env.wl_reading = {}
    env.wl_reading[env.docname] = count_prose(doctree)
    if env.docname == app.config.root_doc:
        parts = []
        for toc in doctree.findall(addnodes.toctree):
            parts.append((toc.get("caption") or "", [doc for _, doc in toc["entries"]]))
        env.wl_parts = parts


def purge(app, env, docname):
    getattr(env, "wl_reading", {}).pop(docname, None)
    getattr(env, "wl_course_directives", {}).pop(docname, None)


def merge(app, env, docnames, other):
    if not hasattr(env, "wl_reading"):
        env.wl_reading = {}
    env.wl_reading.update(getattr(other, "wl_reading", {}))
    if not hasattr(env, "wl_course_directives"):
        env.wl_course_directives = {}
    env.wl_course_directives.update(getattr(other, "wl_course_directives", {}))
    if hasattr(other, "wl_parts"):
        env.wl_parts = other.wl_parts


def minutes_of(app: Sphinx, doc: str) -> int | None:
    counts = getattr(app.env, "wl_reading", {}).get(doc)
    if counts is None:
        return None
    cfg = app.config
    return reading_minutes(
        *counts, wpm=cfg.wl_words_per_minute, per_figure=cfg.wl_minutes_per_figure
    )


def rewrite_when_times_change(app: Sphinx, env) -> list[str]:
    """Rewrite the course map when a reading time changes, and every chapter when the parts do."""
    parts = getattr(env, "wl_parts", [])
    times = {doc: minutes_of(app, doc) for _, docs in parts for doc in docs}
    before = getattr(env, "wl_course_snapshot", None)
    env.wl_course_snapshot = (parts, times)
    if before == (parts, times):
        return []
    out = [
        d for d in env.found_docs if d == app.config.root_doc or "course-map" in _directives(env, d)
    ]
    if before is None or before[0] != parts:
        out += [d for _, docs in parts for d in docs if d in env.found_docs]
    return sorted(set(out))


def _directives(env, doc) -> set[str]:
    return getattr(env, "wl_course_directives", {}).get(doc, set())


def _note_directive(env, name: str) -> None:
    if not hasattr(env, "wl_course_directives"):
        env.wl_course_directives = {}
    env.wl_course_directives.setdefault(env.docname, set()).add(name)


# ----------------------------------------------------------------------------------------------
# Where am I, and the course map
# ----------------------------------------------------------------------------------------------
def part_id(label: str) -> str:
    return "course-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def add_where_am_i(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    place = positions(getattr(app.env, "wl_parts", [])).get(docname)
    if place is None:
        return
    sections = list(doctree.findall(nodes.section))
    if not sections or not isinstance(sections[0][0], nodes.title):
        return
    label, index, total = place
    para = nodes.paragraph(classes=["wl-whereami"])
    root = app.config.root_doc
    ref = nodes.reference("", label, internal=True)
    ref["refuri"] = app.builder.get_relative_uri(docname, root) + "#" + part_id(label)
    para += ref
    para += nodes.Text(where_text(label, index, total, minutes_of(app, docname))[len(label) :])
    sections[0].insert(1, para)


class course_map(nodes.General, nodes.Element):
    pass


class CourseMapDirective(Directive):
    """``course-map``: the parts of the root document's toctrees, each chapter with its reading
    time, and each part's total."""

    has_content = False

    def run(self):
        _note_directive(self.state.document.settings.env, "course-map")
        return [course_map("")]


def fill_course_map(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    env = app.env
    for node in list(doctree.findall(course_map)):
        out = []
        for caption, docs in getattr(env, "wl_parts", []):
            docs = [d for d in docs if d in env.found_docs]
            if not docs:
                continue
            label = part_label(caption)
            times = [minutes_of(app, d) or 0 for d in docs]
            section = nodes.container(classes=["wl-course-part"], ids=[part_id(label or caption)])
            head = nodes.paragraph(classes=["wl-course-part-title"])
            head += nodes.strong(text=f"{label}. {part_title(caption)}" if label else caption)
            head += nodes.Text(
                f" · {len(docs)} {'chapters' if label else 'pages'}, about {sum(times)} min"
            )
            section += head
            items = nodes.enumerated_list() if label else nodes.bullet_list()
            for doc, t in zip(docs, times, strict=True):
                title = env.titles[doc].astext() if doc in env.titles else doc
                ref = nodes.reference("", title, internal=True)
                ref["refuri"] = app.builder.get_relative_uri(docname, doc)
                para = nodes.paragraph("", "", ref, nodes.Text(f" · {t} min"))
                items += nodes.list_item("", para)
            section += items
            out.append(section)
        node.replace_self(out or [nodes.paragraph(text="(no parts found)")])


# ----------------------------------------------------------------------------------------------
# The glossary: A-Z index and hover previews
# ----------------------------------------------------------------------------------------------
class glossary_index(nodes.General, nodes.Element):
    pass


class GlossaryIndexDirective(Directive):
    """``glossary-index``: every glossary term of this page, A to Z, linked to its entry."""

    has_content = False

    def run(self):
        _note_directive(self.state.document.settings.env, "glossary-index")
        return [glossary_index("")]


def fill_glossary_index(app: Sphinx, doctree: nodes.document) -> None:
    placeholders = list(doctree.findall(glossary_index))
    if not placeholders:
        return
    terms = [t for names, _ in glossary_terms(doctree) for t in names]
    groups = az_index(terms)
    bar = nodes.paragraph(classes=["wl-az-bar"])
    for i, (letter, _) in enumerate(groups):
        if i:
            bar += nodes.Text(" ")
        bar += nodes.reference("", letter, refid=f"az-{letter.lower()}", internal=True)
    out: list[nodes.Node] = [bar]
    box = nodes.container(classes=["wl-az"])
    for letter, items in groups:
        group = nodes.container(classes=["wl-az-group"])
        group += nodes.paragraph(
            "",
            "",
            nodes.strong(text=letter),
            ids=[f"az-{letter.lower()}"],
            classes=["wl-az-letter"],
        )
        lst = nodes.bullet_list()
        for term, anchor in items:
            ref = nodes.reference("", term, refid=anchor, internal=True)
            lst += nodes.list_item("", nodes.paragraph("", "", ref))
        group += lst
        box += group
    out.append(box)
    for node in placeholders:
        node.replace_self([copy.deepcopy(n) for n in out])


def _plain_links(node: nodes.Element) -> nodes.Element:
    """A copy of ``node`` whose links are plain text (a tooltip is not a place to click)."""
    node = copy.deepcopy(node)
    for ref in list(node.findall(nodes.reference)):
        ref.replace_self(nodes.inline("", "", *ref.children))
    for ref in list(node.findall(addnodes.pending_xref)):
        ref.replace_self(nodes.inline("", "", *ref.children))
    return node


def write_glossary_data(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    doc = app.config.wl_glossary_doc
    data: dict[str, dict[str, str]] = {}
    if doc in app.env.found_docs:
        doctree = app.env.get_and_resolve_doctree(doc, app.builder)
        for names, definition in glossary_terms(doctree):
            body = nodes.container("", *_plain_links(definition).children)
            fragment = app.builder.render_partial(body)["fragment"]
            for _, anchor in names:
                data[anchor] = {"term": names[0][0], "html": fragment.strip()}
    out = Path(app.outdir) / "_static" / "wlglossary-data.js"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    out.write_text(
        "// Glossary definitions for the hover previews, written by wlcourse at build time.\n"
        f"window.WL_GLOSSARY = {text};\n",
        encoding="utf-8",
    )
    logger.info(f"wrote {len(data)} glossary previews to {out}")


STATIC = Path(__file__).resolve().parent.parent / "_static"  # wlglossary.js and .css live here


def add_static_path(app: Sphinx, config) -> None:
    """Serve ``wlglossary.js`` and ``wlglossary.css`` even where conf.py does not list their
    folder among its static paths."""
    paths = [Path(app.confdir, p).resolve() for p in config.html_static_path]
    if STATIC not in paths:
        config.html_static_path.append(str(STATIC))


def setup(app: Sphinx):
    app.add_config_value("wl_words_per_minute", 200, "env")
    app.add_config_value("wl_minutes_per_figure", 1.0, "env")
    app.add_config_value("wl_glossary_doc", "appendix/glossary", "env")
    app.add_node(course_map)
    app.add_node(glossary_index)
    app.add_directive("course-map", CourseMapDirective)
    app.add_directive("glossary-index", GlossaryIndexDirective)
    app.connect("config-inited", add_static_path)
    app.connect("doctree-read", collect)
    app.connect("doctree-read", fill_glossary_index)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-updated", rewrite_when_times_change)
    app.connect("doctree-resolved", add_where_am_i)
    app.connect("doctree-resolved", fill_course_map)
    app.connect("build-finished", write_glossary_data)
    app.add_js_file("wlglossary-data.js")
    app.add_js_file("wlglossary.js")
    app.add_css_file("wlglossary.css")
    return {
        "version": "1.0",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
