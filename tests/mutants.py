"""Plant realistic bugs in the package, one at a time, and see whether the book or the tests catch
them (``nox -s mutants``).

Each mutant of ``tests/mutants.toml`` replaces one exact string in one module of a throwaway copy
of the tree. The chapters that import the module (directly or through other modules, by the same
rule that keys their execution cache) are executed against the copy, in reading order, until one
fails: a failed claim (``ClaimError``) or any other error in a cell. A mutant that no chapter
catches is then run against the unit tests that import its module (a mutant marked
``first = "tests"``, a bug in the claim machinery itself, meets its unit tests first). The
results are written to ``book/appendix/mutants.json``, which the appendix page "How the claims
are checked" tabulates; the book build only reads that file and never runs mutants.

Usage: ``python tests/mutants.py [--only ID ...] [--min-rate 0.95]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "tests" / "mutants.toml"
RESULTS = ROOT / "book" / "appendix" / "mutants.json"
PACKAGE = "widthlimits"
CHAPTER_FOLDERS = ("intro", "probability", "rmt", "tp", "kernels", "mup", "practice")
FIELDS = ("id", "file", "old", "new", "why")
#: The part of the book that each module (or subpackage) of the package belongs to.
HOME_PART = {
    "probability": "probability",
    "rmt": "rmt",
    "tp": "tp",
    "gaussian": "tp",
    "kernels": "kernels",
    "mup": "mup",
}


def load_mutants(path: Path = MUTANTS) -> list[dict]:
    """The mutants of ``path``, checked: unique ids, every field, and ``old`` found exactly once."""
    mutants = tomllib.loads(path.read_text(encoding="utf-8"))["mutant"]
    seen = set()
    for m in mutants:
        missing = [f for f in FIELDS if not str(m.get(f, "")).strip()]
        if missing:
            raise ValueError(f"mutant {m.get('id')!r} lacks {', '.join(missing)}")
        if m["id"] in seen:
            raise ValueError(f"mutant id {m['id']!r} is used twice")
        seen.add(m["id"])
        count = (ROOT / m["file"]).read_text(encoding="utf-8").count(m["old"])
        if count != 1:
            raise ValueError(
                f"mutant {m['id']!r}: its old string occurs {count} times in {m['file']}, not once"
            )
    return mutants


def reading_order() -> list[Path]:
    """The chapters in the order of the book's table of contents."""
    index = (ROOT / "book" / "index.md").read_text(encoding="utf-8")
    docs = re.findall(rf"^((?:{'|'.join(CHAPTER_FOLDERS)})/[\w-]+)\s*$", index, re.M)
    return [ROOT / "book" / f"{d}.md" for d in docs]


def chapters_using(file: str) -> list[str]:
    """The chapters (as ``part/name``) whose code imports the module ``file``, transitively."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import wlbook

    target = (ROOT / file).resolve()
    out = []
    for path in reading_order():
        deps = wlbook.dependencies(path.read_text(encoding="utf-8"), ROOT / "src" / PACKAGE)
        if target in {p.resolve() for p in deps}:
            out.append(path.relative_to(ROOT / "book").with_suffix("").as_posix())
    # the module's own part first: its chapters are the ones written to check it
    home = HOME_PART.get(Path(file).relative_to("src", PACKAGE).parts[0].removesuffix(".py"))
    return sorted(out, key=lambda doc: doc.split("/")[0] != home)


def tests_using(file: str) -> list[str]:
    """The unit-test files that import the module ``file`` or the subpackage holding it."""
    rel = Path(file).relative_to("src").with_suffix("")
    top = [p for p in rel.parts if p != "__init__"][1]  # e.g. "rmt" for rmt/laws.py
    pattern = re.compile(
        rf"\b{PACKAGE}\.{re.escape(top)}\b|from {PACKAGE} import [^\n]*\b{re.escape(top)}\b"
    )
    files = sorted((ROOT / "tests").glob("test_*.py"))
    found = [p for p in files if pattern.search(p.read_text(encoding="utf-8"))]
    # a private helper module is tested through the modules that use it: run every test
    return [p.relative_to(ROOT).as_posix() for p in (found or files)]


def copy_tree(dst: Path) -> Path:
    ignore = shutil.ignore_patterns(
        "_build", ".nox", "__pycache__", ".jupyter_cache", "*.egg-info", ".hypothesis", ".git"
    )
    for name in ("src", "book", "tests"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    for name in ("pyproject.toml", "conf.py"):
        shutil.copy2(ROOT / name, dst / name)
    return dst


def execute_chapter(path: Path, env: dict) -> tuple[str, str] | None:
    """Execute one chapter; return ``(kind, detail)`` of the first error, or None."""
    import nbformat  # noqa: F401  (nbclient needs it)
    from myst_nb.core.read import read_myst_markdown_notebook
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
    old = dict(os.environ)
    os.environ.update(env)
    try:
        NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    except CellExecutionError as err:
        if err.ename == "ClaimError":
            m = re.search(r"Claim '([^']+)'", err.evalue)
            return "claim", m.group(1) if m else err.evalue[:120]
        return "cell", f"{err.ename}: {err.evalue.splitlines()[0][:120] if err.evalue else ''}"
    except DeadKernelError as err:
        return "cell", type(err).__name__
    except CellTimeoutError:
        # a slow cell on a loaded machine is no evidence that the mutant broke anything
        return None
    finally:
        os.environ.clear()
        os.environ.update(old)
    return None


_BASELINE: dict[str, bool] = {}


def baseline_passes(doc: str) -> bool:
    """Whether the chapter ``doc`` executes without error on the unmutated tree (checked once per
    run, when a mutant first fails in it): a chapter that fails anyway catches nothing."""
    if doc not in _BASELINE:
        with tempfile.TemporaryDirectory(prefix="wl-baseline-") as tmp:
            tree = copy_tree(Path(tmp))
            env = dict(os.environ, PYTHONPATH=str(tree / "src"), PYTHONHASHSEED="0")
            found = execute_chapter(tree / "book" / f"{doc}.md", env)
        if found:
            print(f"  the unmutated {doc} fails too ({found[1]}): it cannot catch a mutant")
        _BASELINE[doc] = found is None
    return _BASELINE[doc]


def run_tests(tree: Path, files: list[str], env: dict) -> tuple[str, str] | None:
    if not files:
        return None
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-m", "not slow", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*cmd, *files], cwd=tree, env=env, capture_output=True, text=True, timeout=1800
    )
    if result.returncode == 0:
        return None
    failed = re.findall(r"^FAILED (\S+)", result.stdout, re.M)
    return "test", failed[0] if failed else f"pytest exit {result.returncode}"


def run_mutant(m: dict) -> dict:
    t0 = time.perf_counter()
    chapters, tests = chapters_using(m["file"]), tests_using(m["file"])
    caught = None
    with tempfile.TemporaryDirectory(prefix="wl-mutant-") as tmp:
        tree = copy_tree(Path(tmp))
        path = tree / m["file"]
        path.write_text(path.read_text(encoding="utf-8").replace(m["old"], m["new"]))
        env = dict(os.environ, PYTHONPATH=str(tree / "src"), PYTHONHASHSEED="0")
        steps = ["chapters", "tests"]
        if m.get("first") == "tests":  # the claim machinery itself: its unit tests are the guard
            steps.reverse()
        for step in steps:
            if step == "tests":
                found = run_tests(tree, tests, env)
                caught = (*found, "tests") if found else None
            else:
                for doc in chapters:
                    found = execute_chapter(tree / "book" / f"{doc}.md", env)
                    if found and baseline_passes(doc):
                        caught = (*found, doc)
                        break
            if caught:
                break
    return {
        "id": m["id"],
        "file": m["file"],
        "why": m["why"],
        "chapters": chapters,
        "caught_by": caught[0] if caught else None,
        "detail": caught[1] if caught else None,
        "where": caught[2] if caught else None,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="run only these mutant ids")
    parser.add_argument("--min-rate", type=float, default=0.95, help="fail below this kill rate")
    args = parser.parse_args(argv)
    mutants = load_mutants()
    if args.only:
        unknown = set(args.only) - {m["id"] for m in mutants}
        if unknown:
            parser.error(f"--only: no mutant named {', '.join(sorted(unknown))}")
        mutants = [m for m in mutants if m["id"] in args.only]
    previous = {}
    if RESULTS.exists() and args.only:
        previous = {r["id"]: r for r in json.loads(RESULTS.read_text())["mutants"]}
    for k, m in enumerate(mutants, 1):
        r = run_mutant(m)
        previous[r["id"]] = r
        summary = write_results(previous)  # after each mutant: a long run can be stopped
        verdict = (
            f"caught by {r['caught_by']} {r['detail']} ({r['where']})"
            if r["caught_by"]
            else "SURVIVED"
        )
        print(f"[{k}/{len(mutants)}] {m['id']}: {verdict} in {r['seconds']} s", flush=True)
    print(
        f"{summary['caught']} of {summary['mutants']} mutants caught "
        f"({100 * summary['rate']:.1f}%); wrote {RESULTS}"
    )
    return 0 if summary["rate"] >= args.min_rate else 1


def write_results(results: dict) -> dict:
    """Write the results of the mutants run so far, in the order of ``tests/mutants.toml``."""
    rows = [results[m["id"]] for m in load_mutants() if m["id"] in results]
    caught = sum(r["caught_by"] is not None for r in rows)
    summary = {"mutants": len(rows), "caught": caught, "rate": round(caught / len(rows), 4)}
    RESULTS.write_text(json.dumps({"summary": summary, "mutants": rows}, indent=1) + "\n")
    return summary


if __name__ == "__main__":
    sys.exit(main())
