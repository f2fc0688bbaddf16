"""The book's Sphinx extension keeps its promises: no stale results, a complete claims ledger,
failing claims fail the build, and a rebuild with nothing changed executes nothing.

The integration tests build a two-chapter book against a throwaway package, so they exercise the
real extension, myst-nb and jupyter-cache without executing the real (slow) chapters.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import wlbook  # noqa: E402


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


@pytest.fixture
def package(tmp_path):
    pkg = tmp_path / "pkg" / "fakepkg"
    write(pkg / "__init__.py", '"""A throwaway package."""\n')
    write(pkg / "core.py", "def one():\n    return 1\n")
    write(pkg / "alpha.py", "from .core import one\n\ndef value():\n    return one()\n")
    write(pkg / "beta.py", "def value():\n    return 2\n")
    write(pkg / "unused.py", "X = 0\n")
    return pkg


def test_dependencies_follow_imports_transitively(package):
    code = "import numpy as np\nfrom fakepkg import alpha\n"
    names = [p.name for p in wlbook.dependencies(code, package)]
    assert names == ["__init__.py", "alpha.py", "core.py"]
    assert [p.name for p in wlbook.dependencies("import fakepkg.beta as b", package)] == [
        "__init__.py",
        "beta.py",
    ]
    assert wlbook.dependencies("import numpy", package) == []


def test_digest_changes_only_with_the_dependencies(package):
    deps = wlbook.dependencies("from fakepkg.alpha import value", package)
    before = wlbook.digest(deps)
    (package / "beta.py").write_text("def value():\n    return 3\n")
    (package / "unused.py").write_text("X = 1\n")
    assert wlbook.digest(deps) == before
    (package / "core.py").write_text("def one():\n    return 1.0\n")
    assert wlbook.digest(deps) != before


CHAPTER = """
---
file_format: mystnb
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Chapter {name}

```{{code-cell}} ipython3
from fakepkg import {name}
from widthlimits.claims import claim
claim("{name}-value", {name}.value(), expected={expected}, statement="The value is right.")
```
"""


@pytest.fixture
def book(tmp_path, package):
    src = tmp_path / "book"
    write(src / "index.md", "# Book\n\n```{toctree}\nalpha\nbeta\n```\n")
    write(src / "alpha.md", CHAPTER.format(name="alpha", expected=1))
    write(src / "beta.md", CHAPTER.format(name="beta", expected=2))
    write(
        tmp_path / "conf.py",
        f"""
        import sys
        sys.path.insert(0, {str(ROOT / "book" / "_ext")!r})
        extensions = ["myst_nb", "wlbook"]
        exclude_patterns = ["_build"]
        nb_execution_mode = "cache"
        nb_execution_raise_on_error = True
        nb_execution_show_tb = True
        wl_package_dir = "pkg/fakepkg"
        """,
    )
    return tmp_path


def build(root: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Build the book at ``root`` (by default with its own package on PYTHONPATH)."""
    if env is None:
        env = dict(os.environ, PYTHONPATH=str(root / "pkg"))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-c",
            str(root),
            "-b",
            "html",
            str(root / "book"),
            str(root / "_build" / "html"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def executed(result: subprocess.CompletedProcess) -> int:
    return len(re.findall(r"Executing notebook", result.stdout + result.stderr))


def claim_ids(root: Path) -> list[str]:
    data = json.loads((root / "_build" / "html" / "claims.json").read_text())
    return sorted(c["id"] for c in data["claims"])


def test_cache_is_keyed_on_the_package_and_the_ledger_stays_complete(book, package):
    first = build(book)
    assert first.returncode == 0, first.stderr
    assert executed(first) == 2
    assert claim_ids(book) == ["alpha-value", "beta-value"]

    again = build(book)
    assert again.returncode == 0, again.stderr
    assert executed(again) == 0

    # Edit a module that alpha uses only through another module: alpha alone re-executes, and
    # the ledger still holds beta's claim, which came from the cache.
    (package / "core.py").write_text("def one():\n    return 1  # edited\n")
    third = build(book)
    assert third.returncode == 0, third.stderr
    assert executed(third) == 1
    assert "alpha" in third.stdout
    assert claim_ids(book) == ["alpha-value", "beta-value"]

    # Identical builds give identical ledgers.
    before = (book / "_build" / "html" / "claims.json").read_text()
    (book / "book" / "beta.md").touch()
    assert build(book).returncode == 0
    assert (book / "_build" / "html" / "claims.json").read_text() == before


def test_a_false_claim_fails_the_build_and_names_itself(book, package):
    write(book / "book" / "beta.md", CHAPTER.format(name="beta", expected=3))
    result = build(book)
    assert result.returncode != 0
    assert "beta-value" in result.stdout + result.stderr


def copy_tree(src: Path, dst: Path) -> Path:
    """A copy of a built tree, as a second clone or a copied checkout would be."""
    import shutil

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("_build"))
    return dst


def test_a_copied_tree_executes_its_own_package_even_when_the_env_points_elsewhere(book, tmp_path):
    """The environment's fakepkg is the original tree's (PYTHONPATH names it, as an editable
    install of the original would); the copy's package is mutated. Building the copy must run
    the copy's code: the mutated value fails its claim."""
    assert build(book).returncode == 0
    copy = copy_tree(book, tmp_path / "copy")
    (copy / "pkg" / "fakepkg" / "core.py").write_text("def one():\n    return 1.5\n")
    result = build(copy, env=dict(os.environ, PYTHONPATH=str(book / "pkg")))
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "alpha-value" in out and "1.5" in out


def test_a_kernel_that_imports_another_copy_stops_the_build_with_one_error(book, tmp_path):
    """A kernelspec that forces another copy of the package on the kernel's path (its ``env``
    overrides PYTHONPATH) cannot be overridden by the build: the build stops before executing
    anything, with one error naming the imported and the expected path."""
    other = tmp_path / "elsewhere"
    write(other / "fakepkg" / "__init__.py", "")
    write(other / "fakepkg" / "alpha.py", "def value():\n    return 1\n")
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3",
                "language": "python",
                "env": {"PYTHONPATH": str(other)},
            }
        )
    )
    env = dict(os.environ, PYTHONPATH=str(book / "pkg"), JUPYTER_PATH=str(tmp_path / "jupyter"))
    result = build(book, env=env)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"fakepkg imported from {other / 'fakepkg'}" in out
    assert f"expected {(book / 'pkg' / 'fakepkg').resolve()}" in out
    assert out.count("imported from") == 1
    assert executed(result) == 0
