"""Reading offline: every page links to the whole-book PDF, and a chapter runs on one's machine.

* Every page's "PDF" header button points at ``widthlimits.pdf`` at the site root, and the local
  server answers it with a PDF (``nox -s pdf`` copies it there: run it before ``site``).
* Every chapter that is a notebook has a "Run this chapter" box whose download link serves its
  executed notebook.
* The notebook of one chapter that needs no torch (``probability/lln``), downloaded through that
  link, executes without error with ``nbclient`` in a fresh virtual environment that holds only
  ``pip install <repository>`` and the notebook's own imports (``myst-nb`` for ``glue``, which
  brings ``nbclient`` and ``ipykernel``), installed with the pinned constraints.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import time
import urllib.request
import venv
from urllib.parse import urljoin

import pytest
from sitepages import CHAPTER_DIRS, HTML, ROOT, SCREENSHOTS, pages

RUN_CHAPTER = "probability/lln.html"
# What the notebook imports beyond the package: myst-nb (glue), and nbclient to run it.
NOTEBOOK_REQUIREMENTS = ("myst-nb", "nbclient", "ipykernel")

PDF_HREF_RE = re.compile(r'<a href="([^"]+)"[^>]*class="[^"]*btn-wl-book-pdf')
RUN_BOX_RE = re.compile(r'id="run-this-chapter".*?<a [^>]*href="([^"]+\.ipynb)"', re.S)


def notebook_chapters() -> list[str]:
    """Chapter pages whose executed notebook the build wrote to ``_sources``."""
    return [
        p
        for p in pages()
        if p.split("/")[0] in CHAPTER_DIRS
        and (HTML / "_sources" / p).with_suffix(".ipynb").exists()
    ]


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


def test_every_page_links_to_the_pdf_and_it_resolves(site_url):
    all_pages = pages()
    assert len(all_pages) > 20
    targets = set()
    for rel in all_pages:
        m = PDF_HREF_RE.search((HTML / rel).read_text())
        assert m, f"{rel} has no PDF button"
        target = urljoin(f"{site_url}/{rel}", m.group(1))
        assert target == f"{site_url}/widthlimits.pdf", f"{rel}: the PDF link goes to {target}"
        targets.add(target)
    (target,) = targets
    status, ctype, body = fetch(target)
    assert status == 200 and ctype == "application/pdf" and body.startswith(b"%PDF"), (
        f"{target}: HTTP {status} {ctype}; run `nox -s pdf` before `site`"
    )


def test_pdf_button_is_shown_in_the_header(browser, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site_url}/{RUN_CHAPTER}", wait_until="load")
    button = page.locator("a.btn-wl-book-pdf").first
    assert button.is_visible()
    assert button.inner_text().strip() == "PDF"
    response = page.request.get(urljoin(page.url, button.get_attribute("href")))
    assert response.status == 200
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#run-this-chapter").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "run-this-chapter.png"))
    page.close()


@pytest.mark.parametrize("rel", notebook_chapters())
def test_chapter_has_a_run_box_whose_notebook_downloads(site_url, rel):
    text = (HTML / rel).read_text()
    m = RUN_BOX_RE.search(text)
    assert m, f"{rel} has no 'Run this chapter' box with a notebook link"
    words = html.unescape(re.sub(r"<[^>]+>", "", text))
    assert 'pip install "widthlimits' in words and "@ git+https://github.com/" in words
    status, _, body = fetch(urljoin(f"{site_url}/{rel}", m.group(1)))
    nb = json.loads(body)
    assert status == 200 and nb["nbformat"] == 4
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert outputs, "the downloaded notebook is not the executed one"


# Runs in the fresh venv: execute the notebook, then ask its kernel where the package came from.
RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import widthlimits; print(widthlimits.__file__)"))
NotebookClient(nb, timeout=600, kernel_name="python3").execute()
print("kernel imported widthlimits from", nb.cells[-1].outputs[0]["text"].strip())
"""


def test_downloaded_notebook_runs_in_a_fresh_venv(site_url, tmp_path):
    m = RUN_BOX_RE.search((HTML / RUN_CHAPTER).read_text())
    assert m, f"{RUN_CHAPTER} has no notebook link"
    _, _, body = fetch(urljoin(f"{site_url}/{RUN_CHAPTER}", m.group(1)))
    notebook = tmp_path / "chapter.ipynb"
    notebook.write_bytes(body)
    imports = set(re.findall(r"^\s*(?:from|import) (\w+)", body.decode(), re.M))
    assert imports <= {"numpy", "widthlimits", "myst_nb"}, f"new imports to install: {imports}"

    start = time.perf_counter()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", ROOT]
        + list(NOTEBOOK_REQUIREMENTS),
        check=True,
        env=env,
        cwd=tmp_path,
    )
    installed = time.perf_counter() - start
    run = subprocess.run(
        [python, "-c", RUN_NOTEBOOK, notebook],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    # the kernel imported the installed package, not the tree's sources
    assert str(env_dir) in run.stdout and str(ROOT / "src") not in run.stdout, run.stdout
    print(
        f"venv and install {installed:.0f} s, run {time.perf_counter() - start - installed:.0f} s"
    )
