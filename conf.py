"""Sphinx configuration for the Width Limits book. Build with ``sphinx-build -c . book _build/html``
(or ``nox -s book``)."""

from __future__ import annotations

import importlib.resources
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "src"))

import widthlimits  # noqa: E402

project = "Width Limits"
author = "The Width Limits authors"
copyright = "2026, The Width Limits authors"
release = version = widthlimits.__version__
root_doc = "index"
language = "en"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_proof",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx_togglebutton",
    "wlbook",
    "wlrun",
    "wlcourse",
]

exclude_patterns = [
    "_build",
    "_ext",
    "**/_*.md",
    "**.ipynb_checkpoints",
    "jupyter_execute",
    ".jupyter_cache",
]
# `WL_ONLY=rmt,probability` builds only those parts (plus the front and back matter): an author's
# fast loop. The full book, with -W, is what `nox -s book` and CI build.
#: The folders of the book's parts, in reading order (chapters live one folder per part).
PARTS = ["probability", "rmt", "tp", "kernels", "mup", "practice"]
if os.environ.get("WL_ONLY"):
    keep = set(os.environ["WL_ONLY"].split(","))
    for part in PARTS:
        if part not in keep:
            exclude_patterns.append(f"{part}/*")

# --- MyST and notebook execution -------------------------------------------------------------
myst_enable_extensions = [
    "dollarmath",
    "amsmath",
    "colon_fence",
    "deflist",
    "substitution",
    "attrs_inline",
]
myst_heading_anchors = 3
myst_dmath_double_inline = True
nb_execution_mode = "cache"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_execution_excludepatterns: list[str] = []

# --- numbering, references, bibliography -----------------------------------------------------
numfig = True
math_numfig = True
math_number_all = True
math_eqref_format = "({number})"
bibtex_bibfiles = ["book/references.bib"]
bibtex_default_style = "alpha"
bibtex_reference_style = "author_year"
suppress_warnings = ["mystnb.unknown_mime_type"]

# --- the API reference -----------------------------------------------------------------------
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
nitpick_ignore_regex = [(r"py:.*", r"(?!widthlimits\.).*")]  # third-party names in annotations

# --- HTML ------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Width Limits"
html_favicon = "book/_static/favicon.svg"
html_baseurl = "https://widthlimits.github.io/widthlimits/"
html_static_path = ["book/_static", str(importlib.resources.files("mathjax") / "static")]
html_css_files = ["widthlimits.css"]
html_js_files = ["widthlimits.js"]
html_last_updated_fmt = None
# MathJax 3, served from this site: a reader offline or behind a CDN block still sees typeset
# math. The copy comes from PyPI (django-static-mathjax), installed with the book's extra.
mathjax_path = "mathjax/es5/tex-chtml.js"
mathjax3_config = {"tex": {"tags": "ams"}}
html_theme_options = {
    "repository_url": "https://github.com/widthlimits/widthlimits",
    "repository_branch": "main",
    "path_to_docs": "book",
    "use_repository_button": True,
    "use_edit_page_button": True,
    "use_download_button": True,
    "use_source_button": True,
    "use_issues_button": True,
    "home_page_in_toc": True,
    "show_navbar_depth": 2,
    "navigation_with_keys": False,
}
html_show_sourcelink = False
html_context = {"default_mode": "light"}

# --- LaTeX: the whole-book PDF (`nox -s pdf`, into _build/latex) -----------------------------
# XeLaTeX with Sphinx's default GNU FreeFont faces (Debian's fonts-freefont-otf) typesets the
# text's Unicode (µ, Greek letters, arrows, ≤) directly; makeindex instead of xindy keeps the
# Debian packages to texlive-latex-extra, texlive-fonts-recommended, texlive-xetex and latexmk.
# Figures stay where the text shows them ("H"), as in the notebooks, and long code and output
# lines wrap instead of running into the margin.
latex_engine = "xelatex"
latex_use_xindy = False
latex_documents = [(root_doc, "widthlimits.tex", project, author, "manual")]
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "figure_align": "H",
    "maxlistdepth": "10",
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true, verbatimmaxunderfull=1",
    "preamble": r"\setlength{\headheight}{14pt}",
    # Sphinx would name the contents after the first toctree's caption ("Part I. ...").
    "tableofcontents": r"\renewcommand{\contentsname}{Contents}\sphinxtableofcontents",
}

# --- the book's own extension ----------------------------------------------------------------
wl_package_dir = "src/widthlimits"
wl_talk_url = "https://youtu.be/1aXOXHA7Jcw"
wl_chapter_folders = ["intro", *PARTS]
wl_authors = ["The Width Limits authors"]
wl_year = 2026
