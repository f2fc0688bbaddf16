"""Citable chapters: ``citation_*`` meta tags and a "Cite this chapter" box."""

from __future__ import annotations

import html
import re

from sphinx.application import Sphinx
from sphinx.util import logging

from .digest import chapter_source

logger = logging.getLogger(__name__)


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
    if chapter_source(app.env, pagename) is not None:
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
    """Citable chapters: ``citation_*`` meta tags and a "Cite this chapter" box."""
    app.add_config_value("wl_chapter_folders", [], "env")
    app.add_config_value("wl_authors", ["The Width Limits authors"], "env")
    app.add_config_value("wl_year", 2026, "env")
    app.connect("html-page-context", page_context, priority=100)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
