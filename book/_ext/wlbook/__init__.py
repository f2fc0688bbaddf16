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

from .checks import (
    GroupClaims,
    _pass,
    check_cell_sources,
    claims_group,
    depart_claims_group,
    hide_check_cells,
    visit_claims_group,
)
from .citation import bibtex_for, is_chapter, page_context
from .digest import (
    MYSTNB_RE,
    check_kernel_package,
    dependencies,
    digest,
    inject_source_digest,
    kernel_package_path,
    module_files,
    package_dir_of,
    put_package_first,
)
from .ledger import (
    CLAIM_RE,
    ClaimsLedgerDirective,
    MutantsTableDirective,
    all_claims,
    claim_problems,
    claims_ledger,
    collect_claims,
    fill_ledger,
    ledger_always_outdated,
    merge_claims,
    purge_claims,
    write_claims_json,
)
from .notebooks import CELL_RE, add_code_links, called_objects, write_notebooks
from .watch import WatchDirective, seconds

__all__ = [
    "CELL_RE",
    "CLAIM_RE",
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


def setup(app: Sphinx):
    app.add_config_value("wl_package_dir", "src/widthlimits", "env")
    app.add_config_value("wl_talk_url", "https://youtu.be/1aXOXHA7Jcw", "env")
    app.add_config_value("wl_chapter_folders", [], "env")
    app.add_config_value("wl_authors", ["The Width Limits authors"], "env")
    app.add_config_value("wl_year", 2026, "env")
    app.add_config_value("wl_mutants_results", "book/appendix/mutants.json", "env")
    app.connect("config-inited", put_package_first)
    app.connect("source-read", inject_source_digest)
    app.connect("doctree-read", collect_claims)
    app.connect("env-purge-doc", purge_claims)
    app.connect("env-merge-info", merge_claims)
    app.connect("env-get-outdated", ledger_always_outdated)
    app.connect("doctree-resolved", fill_ledger)
    app.connect("build-finished", write_claims_json)
    app.connect("html-page-context", page_context, priority=100)
    app.connect("doctree-read", add_code_links)
    app.connect("build-finished", write_notebooks)
    app.connect("doctree-read", hide_check_cells)
    app.add_post_transform(GroupClaims)
    app.add_node(claims_ledger)
    app.add_node(
        claims_group,
        html=(visit_claims_group, depart_claims_group),
        latex=(_pass, _pass),
        text=(_pass, _pass),
    )
    app.add_directive("claims-ledger", ClaimsLedgerDirective)
    app.add_directive("watch", WatchDirective)
    app.add_directive("mutants-table", MutantsTableDirective)
    return {
        "version": "1.0",
        "parallel_read_safe": False,
        "parallel_write_safe": True,
        "env_version": 1,
    }
