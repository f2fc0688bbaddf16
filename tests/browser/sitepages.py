"""Where the built site is and which of its pages the browser tests visit (shared by every
browser test module and the fixtures).

The site is ``_build/html``, or the folder named by ``WL_SITE_DIR`` (a part built on its own, for
example ``WL_SITE_DIR=_build/h/html``)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTML = (ROOT / os.environ.get("WL_SITE_DIR", "_build/html")).resolve()
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHAPTER_DIRS = ("intro", "probability", "rmt", "tp", "kernels", "mup", "practice")
SKIP = {"genindex.html", "search.html", "py-modindex.html"}


def pages(skip: set[str] = SKIP) -> list[str]:
    """Every HTML page of the site except Sphinx's own assets (and the pages in ``skip``)."""
    out = []
    for path in sorted(HTML.rglob("*.html")):
        rel = path.relative_to(HTML).as_posix()
        if rel.startswith(("_", "jupyter_execute")) or rel in skip:
            continue
        out.append(rel)
    return out


def chapters() -> list[str]:
    """The pages of the book's parts."""
    return [p for p in pages() if p.split("/")[0] in CHAPTER_DIRS]
