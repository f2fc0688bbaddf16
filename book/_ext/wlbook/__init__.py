"""Sphinx extension for the Width Limits book.

It keeps the book's promises that Sphinx and myst-nb do not keep by themselves:

* **No stale results.** jupyter-cache hashes only a notebook's code cells. Before a chapter is
  parsed, :func:`inject_source_digest` appends a hidden cell holding a digest of the
  ``widthlimits`` modules that the chapter imports (transitively), and notes those files as the
  chapter's dependencies. Editing a module makes Sphinx re-read the chapters that depend on it,
  their digest changes, the cache misses, and exactly those chapters execute again.
* **The package being built is the package executed.** The kernels that execute chapters import
  the package from the tree being built: :func:`put_package_first` puts its parent folder
  (``src/``) first on ``PYTHONPATH``, which the kernels inherit, whatever the environment has
  installed. Before the first chapter executes, :func:`check_kernel_package` starts one kernel
  and asks it where the package comes from; if that is not the tree's, the build stops with one
  error that names both paths.
* **The claims ledger.** Every :func:`widthlimits.claims.claim` leaves an HTML record in its cell's
  output. The records are collected from each chapter's doctree (so chapters served from the cache
  count too), written to ``claims.json`` and tabulated by the ``claims-ledger`` directive.
* **Checks out of the way.** A code cell whose results only feed claims and glued numbers (a
  *check cell*, :func:`check_cell_sources`) is collapsed behind a "Show the checks" control
  (:func:`hide_check_cells`), and a run of claim boxes is shown as one summary line
  ("✓ 5 claims checked") that opens to the statements, values and rivals
  (:class:`GroupClaims`).
* **Watch along.** The ``watch`` directive links a chapter to its moments in the talk.
* **Citable chapters.** Each chapter gets ``citation_*`` meta tags and a "Cite this chapter" box.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from .checks import check_cell_sources
from .citation import bibtex_for, is_chapter
from .digest import (
    MYSTNB_RE,
    check_kernel_package,
    dependencies,
    digest,
    kernel_package_path,
    module_files,
    package_dir_of,
)
from .ledger import all_claims, claim_problems
from .notebooks import CELL_RE, called_objects
from .watch import seconds

__all__ = [
    "CELL_RE",
    "MYSTNB_RE",
    "all_claims",
    "bibtex_for",
    "called_objects",
    "check_cell_sources",
    "check_kernel_package",
    "claim_problems",
    "dependencies",
    "digest",
    "is_chapter",
    "kernel_package_path",
    "module_files",
    "package_dir_of",
    "seconds",
    "setup",
]


#: The book's extensions, one per promise; ``wlbook`` in ``conf.py`` loads them all.
EXTENSIONS = (
    "wlbook.digest",
    "wlbook.ledger",
    "wlbook.checks",
    "wlbook.watch",
    "wlbook.notebooks",
    "wlbook.citation",
)


def setup(app: Sphinx):
    for name in EXTENSIONS:
        app.setup_extension(name)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
