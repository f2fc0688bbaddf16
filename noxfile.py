"""Sessions: ``book``, ``tests``, ``doctests``, ``lint``, ``pdf``, ``site``, ``bench``, ``slow``,
``mutants``.

Every session uses the ``venv`` backend (uv ignores this machine's pip settings and would fetch a
CUDA torch), installs from the pinned ``constraints.txt`` and reuses its virtualenv.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests", "doctests", "book", "pdf", "site"]

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", "constraints.txt")


#: Peers installed without their dependencies: microsoft/mup 1.0.0 asks for an unpinned torch
#: (which would pull a CUDA build), torchvision, pandas and seaborn, none of which the parts the
#: tests use need (they need torch, numpy and pyyaml, which the test extra brings).
NO_DEPS = {"test": ("mup",)}


def install(session: nox.Session, extras: str) -> None:
    """Install the package with ``extras``, skipping pip when nothing it reads has changed."""
    key = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes()
        + (ROOT / "constraints.txt").read_bytes()
        + extras.encode()
        + repr(NO_DEPS).encode()
    ).hexdigest()
    stamp = Path(session.virtualenv.location) / ".widthlimits-installed"
    if stamp.exists() and stamp.read_text() == key:
        return
    session.install(*CONSTRAINTS, "-e", f".[{extras}]")
    peers = [p for extra in extras.split(",") for p in NO_DEPS.get(extra, ())]
    if peers:
        session.install(*CONSTRAINTS, "--no-deps", *peers)
    stamp.write_text(key)


def sphinx_build(session: nox.Session, builder: str, outdir: str) -> None:
    """The book's one Sphinx command: every warning an error (``-W -n``), all of them reported."""
    session.run(
        "sphinx-build", "-c", ".", "-W", "-n", "--keep-going", "-b", builder, "book", outdir,
        *session.posargs,
    )  # fmt: skip


@nox.session
def book(session: nox.Session) -> None:
    """Build the book into _build/html, executing chapters whose code or library changed."""
    install(session, "torch,book")
    sphinx_build(session, "html", "_build/html")
    session.log(f"Open {ROOT / '_build' / 'html' / 'index.html'}")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the unit tests (the slow ones have their own session)."""
    install(session, "torch,book,test")
    session.run("pytest", "-m", "not slow", *session.posargs)


@nox.session
def slow(session: nox.Session) -> None:
    """Run the slow checks, such as muP transfer over several base seeds and sweeps on a local
    Ray cluster (the ``ray`` extra)."""
    install(session, "torch,book,test,ray")
    session.run("pytest", "-m", "slow", *session.posargs)


@nox.session
def doctests(session: nox.Session) -> None:
    """Run every docstring example of the package."""
    install(session, "torch,test")
    session.run(
        "pytest",
        "--doctest-modules",
        "src/widthlimits",
        "-p",
        "no:cacheprovider",
        "-o",
        "testpaths=",
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*CONSTRAINTS, "ruff")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py", "conf.py", "book/_ext")
    session.run(
        "ruff",
        "format",
        "--check",
        "src",
        "tests",
        "benchmarks",
        "noxfile.py",
        "conf.py",
        "book/_ext",
    )


# Debian's packages for the PDF: XeLaTeX (texlive-xetex), the LaTeX packages Sphinx's LaTeX uses
# (texlive-latex-extra, which brings texlive-latex-recommended), its fonts, latexmk, the GNU
# FreeFont faces that typeset the text's Unicode, and poppler-utils for the PDF's tests.
TEX_PACKAGES = (
    "texlive-latex-extra",
    "texlive-fonts-recommended",
    "texlive-xetex",
    "latexmk",
    "fonts-freefont-otf",
    "poppler-utils",
)


def missing_debian_packages(packages: tuple[str, ...]) -> list[str]:
    """The packages of ``packages`` that dpkg does not report as installed."""
    if shutil.which("dpkg-query") is None:
        return list(packages)
    missing = []
    for name in packages:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${db:Status-Abbrev}", name], capture_output=True, text=True
        )
        if not out.stdout.startswith("ii"):
            missing.append(name)
    return missing


@nox.session
def pdf(session: nox.Session) -> None:
    """Build the whole book as one PDF, _build/latex/widthlimits.pdf, with Sphinx's LaTeX builder,
    XeLaTeX and latexmk; copy it to _build/html/widthlimits.pdf, where every page links to it; then
    test it (tests/pdf). Run ``book`` first: the chapters come from its execution cache
    (_build/.jupyter_cache), so nothing executes again. Installs Debian's TeX Live packages with
    apt-get when they are missing (needs root)."""
    if not (ROOT / "_build" / "html" / "index.html").exists():
        session.error("no built book in _build/html: run `nox -s book` first")
    missing = missing_debian_packages(TEX_PACKAGES)
    if missing:
        if shutil.which("apt-get") is None:
            session.error(f"install these Debian packages (or their equivalents): {missing}")
        start = time.perf_counter()
        session.run("apt-get", "update", "-qq", external=True)
        session.run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "-o",
            "DPkg::Lock::Timeout=600",
            *missing,
            external=True,
        )
        session.log(
            f"apt-get installed {len(missing)} packages in {time.perf_counter() - start:.0f} s"
        )
    install(session, "torch,book,test")
    latex = ROOT / "_build" / "latex"
    start = time.perf_counter()
    sphinx_build(session, "latex", str(latex))
    session.log(f"Sphinx wrote the LaTeX in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    with session.chdir(latex):
        session.run(
            "latexmk",
            "-pdfxe",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "widthlimits.tex",
            external=True,
        )
    session.log(f"latexmk made the PDF in {time.perf_counter() - start:.0f} s")
    shutil.copy2(latex / "widthlimits.pdf", ROOT / "_build" / "html" / "widthlimits.pdf")
    session.run("pytest", "tests/pdf", "-p", "no:cacheprovider", env={"WL_PDF_TESTS": "1"})
    session.log(f"Open {ROOT / '_build' / 'latex' / 'widthlimits.pdf'}")


@nox.session
def site(session: nox.Session) -> None:
    """Browser tests of the built site (run ``book`` first) in Debian's Chromium via Playwright."""
    if not (ROOT / "_build" / "html" / "index.html").exists():
        session.error("no built book in _build/html: run `nox -s book` first")
    if shutil.which("chromium") is None:
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "chromium", external=True)
    install(session, "site")
    session.run(
        "pytest",
        "tests/browser",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"WL_SITE_TESTS": "1"},
    )


_NT_STUB = (
    "import pathlib, importlib.util as u; "
    "p = pathlib.Path(u.find_spec('neural_tangents').submodule_search_locations[0]); "
    "(p / 'experimental' / '__init__.py').write_text('# stubbed: jax2tf needs tensorflow\\n')"
)


@nox.session
def bench(session: nox.Session) -> None:
    """Print the library's benchmark timings, side by side with neural-tangents when it installs.

    neural-tangents 0.6.5 (archived) declares tensorflow and tf2jax, which only its
    ``experimental`` subpackage uses: it is installed with ``--no-deps`` next to jax 0.5.3 and
    frozendict, and ``experimental`` is replaced by an empty module. If that fails the
    benchmark prints ratios against the recorded neural-tangents time instead."""
    install(session, "torch,test")
    try:
        session.install(*CONSTRAINTS, "jax==0.5.3", "jaxlib==0.5.3", "frozendict")
        session.install("--no-deps", "neural-tangents==0.6.5")
        session.run("python", "-c", _NT_STUB)
    except nox.command.CommandFailed:
        session.log("neural-tangents did not install: ratios use the recorded time")
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)


@nox.session
def mutants(session: nox.Session) -> None:
    """Plant each bug of tests/mutants.toml in a copy of the tree, execute the chapters that import
    the mutated module (then its unit tests), and rewrite book/appendix/mutants.json with what
    caught each one. Fails below a 95% kill rate. ``nox -s mutants -- --only ID`` runs one."""
    install(session, "torch,book,test")
    session.run("python", "tests/mutants.py", *session.posargs)
