"""The repository keeps its promises to readers: two-line README, CI runs the README's test line,
a valid CITATION.cff, and chapters with the parts every chapter must have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTER_DIRS = ["probability", "rmt", "tp", "kernels", "mup", "practice"]


def quick_start_lines() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_quick_start_is_two_lines_build_then_test():
    lines = quick_start_lines()
    assert len(lines) == 2
    assert "nox -s book" in lines[0]
    sessions = lines[1].split("nox -s", 1)[1].split()
    assert set(sessions) >= {"lint", "tests", "doctests", "book", "pdf", "site"}, sessions
    # the pdf is built from the book's executed chapters and the site links to it
    assert sessions.index("book") < sessions.index("pdf") < sessions.index("site"), sessions


def test_ci_runs_the_readme_test_line_verbatim():
    commands = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert commands == [quick_start_lines()[1]]


def test_citation_cff_has_the_required_fields():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "date-released"):
        assert cff.get(key), key
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    import widthlimits

    assert cff["version"] == widthlimits.__version__


def chapters() -> list[Path]:
    return sorted(
        p for d in CHAPTER_DIRS for p in (BOOK / d).glob("*.md") if not p.name.startswith("_")
    )


@pytest.mark.parametrize("path", chapters(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_chapter_has_the_parts_of_a_chapter(path):
    text = path.read_text()
    assert "file_format: mystnb" in text
    assert "```{watch}" in text, "a link to the talk"
    assert "What you will learn" in text
    assert re.search(r"^## Summary", text, re.M)
    assert re.search(r"^## Exercises", text, re.M) and "solution-start" in text
    assert "widthlimits" in text and "claim(" in text
    assert "{term}`" in text, "glossary links"
    assert "mystnb:" in text and "alt:" in text, "a figure with alt text"


@pytest.mark.parametrize("path", chapters(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_global_random_state(path):
    text = path.read_text()
    assert not re.search(r"np\.random\.(seed|rand|randn|normal|uniform|choice)\(", text)
    assert "torch.manual_seed(" not in text
    assert "matplotlib.use(" not in text


def test_watch_along_links_match_their_timestamps():
    text = (BOOK / "intro" / "watch-along.md").read_text()
    links = re.findall(r"\[(\d+):(\d\d):(\d\d)\]\(https://youtu\.be/1aXOXHA7Jcw\?t=(\d+)\)", text)
    assert len(links) >= 25
    for h, m, s, t in links:
        assert int(t) == 3600 * int(h) + 60 * int(m) + int(s)
