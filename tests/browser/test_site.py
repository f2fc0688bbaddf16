"""The built site, as a reader meets it in a real browser.

Every page is loaded in Debian's Chromium. For each page: no console or page errors, no request
to any host but 127.0.0.1, math typeset by the local MathJax with no errors, every image loaded
and described by alt text, and no serious or critical accessibility violations found by axe-core.
Chapters also carry citation metadata and a "Cite this chapter" box. A summary of what was checked
is written to ``_build/site-report.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sitepages import ROOT, SCREENSHOTS, chapters, pages

REPORT: dict = {"pages": {}, "external_requests": []}


def axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


@pytest.fixture(scope="module")
def context(browser, site_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    host = urlparse(site_url).hostname

    def guard(route):
        if urlparse(route.request.url).hostname != host:
            REPORT["external_requests"].append(route.request.url)
            route.abort()
        else:
            route.continue_()

    ctx.route("**/*", guard)
    yield ctx
    ctx.close()
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "site-report.json").write_text(json.dumps(REPORT, indent=1))


def load(context, url):
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else 0)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on(
        "response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else 0
    )
    page.goto(url, wait_until="load")
    return page, errors


@pytest.mark.parametrize("rel", pages())
def test_page(context, site_url, rel):
    before = len(REPORT["external_requests"])
    page, errors = load(context, f"{site_url}/{rel}")
    try:
        has_math = page.locator(".math").count() > 0
        if has_math:
            page.wait_for_function(
                "window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20_000
            )
            page.evaluate("MathJax.startup.promise")
            assert page.locator("mjx-container").count() > 0, "math was not typeset"
            assert page.locator("mjx-merror").count() == 0, "MathJax reported an error"
        images = page.evaluate(
            "Array.from(document.images).map(i => ({src: i.currentSrc, ok: i.complete &&"
            " i.naturalWidth > 0, alt: i.getAttribute('alt')}))"
        )
        broken = [i["src"] for i in images if not i["ok"]]
        unlabelled = [i["src"] for i in images if not (i["alt"] or "").strip()]
        # axe-core fetches stylesheets itself and resolves their @imports against the page, which
        # 404s: the page's own errors are the ones seen before axe runs.
        errors = list(errors)
        page.add_script_tag(content=axe_script())
        result = page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
            "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length})))"
        )
        serious = [v for v in result if v["impact"] in ("serious", "critical")]
        REPORT["pages"][rel] = {
            "math": has_math,
            "images": len(images),
            "axe_violations": result,
        }
        assert not errors, errors
        assert len(REPORT["external_requests"]) == before, REPORT["external_requests"][before:]
        assert not broken, f"images that did not load: {broken}"
        assert not unlabelled, f"images without alt text: {unlabelled}"
        assert not serious, f"serious accessibility violations: {serious}"
    finally:
        page.close()


@pytest.mark.parametrize("rel", chapters())
def test_chapter_is_citable(context, site_url, rel):
    page, _ = load(context, f"{site_url}/{rel}")
    try:
        title = page.get_attribute('meta[name="citation_title"]', "content")
        assert title, "citation_title meta tag"
        for name in ("citation_author", "citation_publication_date", "citation_public_url"):
            assert page.get_attribute(f'meta[name="{name}"]', "content"), name
        bib = page.inner_text("section.wl-cite pre")
        assert bib.startswith("@") and title in bib and rel in bib
        assert page.locator("section.wl-cite button.copybtn").count() == 1, "a copy button"
    finally:
        page.close()


def test_search_finds_the_semicircle_chapter(context, site_url):
    page, errors = load(context, f"{site_url}/search.html?q=semicircle")
    try:
        page.wait_for_selector("#search-results li a", timeout=20_000)
        hrefs = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
        assert any("rmt/semicircle.html" in h for h in hrefs), hrefs
        assert not errors, errors
    finally:
        page.close()


def test_sidebar_reaches_every_chapter(context, site_url):
    page, _ = load(context, f"{site_url}/index.html")
    try:
        hrefs = page.eval_on_selector_all(
            "nav.bd-docs-nav a.reference", "as => as.map(a => a.getAttribute('href'))"
        )
        linked = {re.sub(r"#.*", "", h).lstrip("./") for h in hrefs}
        missing = [c for c in chapters() if c not in linked]
        assert not missing, missing
    finally:
        page.close()


def test_screenshots(context, site_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, rel in (("landing", "index.html"), ("chapter", "rmt/semicircle.html")):
        page, _ = load(context, f"{site_url}/{rel}")
        try:
            if page.locator(".math").count():
                page.evaluate("MathJax.startup.promise")
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
        finally:
            page.close()
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
