"""The whole-book PDF (``nox -s pdf``) holds the whole book.

Read with poppler-utils: its title, a page count in the range measured for this edition, every
figure of the built site embedded as an image, no "??" left by an unresolved reference, and, for
every executed chapter, every text output that LaTeX shows, every exercise, solution and theorem.
``WL_PDF`` and ``WL_HTML`` point the tests at another build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PDF = Path(os.environ.get("WL_PDF", ROOT / "_build" / "latex" / "widthlimits.pdf"))
HTML = Path(os.environ.get("WL_HTML", ROOT / "_build" / "html"))
BOOK = ROOT / "book"
# Measured after Part VI and the new API pages were added: 577 pages (A4, 11 pt; 404 before).
# The range allows the book to grow or shrink by about a third; a PDF with every page doubled, or
# with half the book missing, falls outside it.
PAGES = (385, 770)
# myst-nb's choice of output for LaTeX, most preferred first (render.base_render_priority).
LATEX_MIME = ("application/pdf", "image/png", "image/jpeg", "text/latex", "text/markdown")


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module", autouse=True)
def built():
    if not PDF.exists():
        pytest.fail(f"no PDF at {PDF}: run `nox -s pdf`")


@cache
def pages_text(layout: bool = False) -> list[str]:
    """The PDF's text, page by page; ``layout`` keeps each printed line whole (for outputs)."""
    return poppler("pdftotext", *(["-layout"] if layout else []), str(PDF), "-").split("\f")


def squeeze(text: str) -> str:
    """Text without whitespace and without what LaTeX adds where it wraps a verbatim line."""
    return re.sub(r"[\s,\u21aa\u2192\u2423]+", "", text)


def test_title():
    info = poppler("pdfinfo", str(PDF))
    assert re.search(r"^Title:\s+Width Limits$", info, re.M), info
    assert "Width Limits" in pages_text()[0]


def test_page_count_in_the_measured_range():
    n = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(PDF)), re.M).group(1))
    assert PAGES[0] <= n <= PAGES[1], f"{n} pages, expected {PAGES[0]}-{PAGES[1]}"


def test_no_unresolved_reference():
    bad = [i + 1 for i, text in enumerate(pages_text()) if "??" in text]
    assert not bad, f'"??" on pages {bad}'


def site_images() -> list[str]:
    """Every image that a page of the built site shows from ``_images`` (figures and outputs)."""
    out = []
    for page in sorted(HTML.rglob("*.html")):
        rel = page.relative_to(HTML).as_posix()
        if rel.startswith(("_", "jupyter_execute")):
            continue
        out += re.findall(r'<img[^>]*src="(?:\.\./)*_images/([^"]+)"', page.read_text())
    return out


def test_every_figure_is_embedded():
    images = site_images()
    assert len(images) >= 20, f"only {len(images)} images in the built site {HTML}"
    listed = poppler("pdfimages", "-list", str(PDF)).splitlines()[2:]
    embedded = [line for line in listed if line.split()[2] == "image"]
    assert len(embedded) >= len(images), (
        f"{len(embedded)} images in the PDF, {len(images)} on the site's pages"
    )


def notebooks() -> list[Path]:
    return sorted((HTML / "_sources").rglob("*.ipynb"))


def shown_texts(nb: dict) -> list[str]:
    """The text outputs that LaTeX shows: stream output and text/plain that no preferred
    format (an image, LaTeX, Markdown) replaces, in cells that are not removed."""
    out = []
    for cell in nb["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] != "code" or tags & {"remove-cell", "remove-output"}:
            continue
        for o in cell.get("outputs", []):
            if o["output_type"] == "stream" and o.get("name") == "stdout":
                out.append("".join(o["text"]))
            elif o["output_type"] in ("execute_result", "display_data"):
                data = o.get("data", {})
                if "text/plain" in data and not any(m in data for m in LATEX_MIME):
                    out.append("".join(data["text/plain"]))
    return [t for t in out if t.strip()]


@pytest.mark.parametrize("nb_path", notebooks(), ids=lambda p: p.with_suffix("").name)
def test_every_text_output_of_a_chapter_is_printed(nb_path):
    pdf = squeeze("".join(pages_text(layout=True)))
    texts = shown_texts(json.loads(nb_path.read_text()))
    # line by line: pdftotext may interleave a wrapped output's lines with its cell's code
    lines = [line for t in texts for line in t.splitlines() if squeeze(line)]
    missing = [line[:80] for line in lines if squeeze(line)[:60] not in pdf]
    assert not missing, f"{len(missing)} of {len(lines)} output lines not in the PDF: {missing[:3]}"


def source_count(pattern: str) -> int:
    return sum(
        len(re.findall(pattern, p.read_text(), re.M))
        for p in BOOK.rglob("*.md")
        if not p.name.startswith("_") or p.parent == BOOK / "appendix"
    )


@pytest.mark.parametrize(
    ("what", "source", "printed"),
    [
        ("exercises", r"^```\{exercise(-start)?\}", r"^Exercise \d+( \(|$)"),
        ("solutions", r"^```\{solution(-start)?\}", r"^Solution to\s*Exercise \d+"),
        (
            "theorems",
            r"^`{3,}\{prf:(theorem|lemma|proposition|corollary)\}",
            r"^(Theorem|Lemma|Proposition|Corollary) \d+( \(|$)",
        ),
        ("definitions", r"^`{3,}\{prf:definition\}", r"^Definition \d+( \(|$)"),
    ],
)
def test_every_exercise_solution_and_theorem_is_printed(what, source, printed):
    expected = source_count(source)
    found = len(re.findall(printed, "\n".join(pages_text()), re.M))
    assert expected > 0, f"no {what} in the sources: the pattern {source!r} is stale"
    assert found >= expected, f"{found} {what} titled in the PDF, {expected} in the sources"
