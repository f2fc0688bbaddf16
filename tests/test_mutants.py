"""The planted-bug list stays honest: every mutant still applies to the code as it is, the list
covers every module a chapter imports, and the committed results are those of this list."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import mutants  # noqa: E402


def test_every_mutant_applies_exactly_once_and_says_what_it_plants():
    found = mutants.load_mutants()
    assert len(found) >= 20
    for m in found:
        assert m["old"] != m["new"], m["id"]
        assert m["why"].rstrip().endswith("."), m["id"]


def test_the_mutants_cover_every_module_that_a_chapter_imports():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import wlbook

    used = set()
    for path in mutants.reading_order():
        for dep in wlbook.dependencies(path.read_text(), ROOT / "src" / "widthlimits"):
            used.add(dep.relative_to(ROOT).as_posix())
    # package __init__ files only re-export names, and tp/_threads.py only caps BLAS threads
    # (a speed setting with no mathematics in it)
    exempt = {"src/widthlimits/tp/_threads.py"}
    used = {u for u in used if not u.endswith("__init__.py") and u not in exempt}
    covered = {m["file"] for m in mutants.load_mutants()}
    assert used - covered == set(), "modules a chapter imports that no mutant plants a bug in"


def test_the_committed_results_are_those_of_this_list():
    results = json.loads(mutants.RESULTS.read_text())
    assert [r["id"] for r in results["mutants"]] == [m["id"] for m in mutants.load_mutants()]
    caught = sum(r["caught_by"] is not None for r in results["mutants"])
    assert results["summary"]["caught"] == caught
    assert results["summary"]["mutants"] == len(results["mutants"])


def test_chapters_using_follows_imports():
    assert "rmt/semicircle" in mutants.chapters_using("src/widthlimits/rmt/laws.py")
    assert "tests/test_claims.py" in mutants.tests_using("src/widthlimits/claims.py")
