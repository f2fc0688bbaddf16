"""The pages as a reader sees them (issue 11, "The page"), checked in Debian's Chromium.

* No page shows source: no Markdown table rule, no ``$...$``, no TeX command in its text (code
  and typeset math aside); teaching outputs print no 17-digit reprs.
* Claim statements are typeset: a statement written with ``$...$`` shows MathJax output inside
  its claim box, in the chapter and in the ledger.
* Verification is out of the way: check cells are collapsed behind "Show the checks" and claim
  boxes sit behind one "N claims checked" summary per run.
* Figures are drawn for the column: at 1280 px every figure is shown at >= 90% of its drawn
  width, and its smallest text (recorded in the PNG by ``widthlimits.plotting``) is >= 9 CSS px.
* On a phone (390 px) no page scrolls sideways, display math stays inside its own box and no
  equation number overlaps its formula.
* In dark mode axe's color-contrast rule passes, with the claim summaries opened.
* The ledger fits a 1280 px window, counts claims per chapter and its filter works.
* Search snippets show chapter text, not the theme's menu words.

The site is ``_build/html`` or ``WL_SITE_DIR``; screenshots go to ``_build/screenshots``.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from sitepages import HTML, SCREENSHOTS, chapters, pages

MIN_SCALE = 0.9  # a figure is shown at >= 90% of its drawn width at 1280 px
MIN_FONT_PX = 9.0  # and no text in it is smaller than 9 CSS px
FONT_KEY = "WidthLimits-min-font-pt"  # written by widthlimits.plotting

# What source looks like when it leaks into a page's text.
SOURCE_PATTERNS = {
    "Markdown table rule": re.compile(r"\|\s*:?(?:-{3,}|—|–)"),
    "dollar math": re.compile(r"(?<![\w$\\])\$(?!\s)[^$\n]{1,80}?(?<!\s)\$(?!\w)"),
    "TeX command": re.compile(
        r"\\(?:frac|sqrt|mathbb|mathrm|mathcal|sum|int|alpha|beta|sigma|kappa|tanh|log|"
        r"left|right|begin|end|cdot|le|ge|infty|to|partial)\b|\\\(|\\\["
    ),
}
LONG_REPR = re.compile(r"\d\.\d{12,}")  # a float printed with all its 17 digits

TEXT_JS = """() => {
  const a = document.querySelector('article.bd-article') || document.body;
  const c = a.cloneNode(true);
  c.querySelectorAll('pre, code, script, style, textarea, mjx-container, mjx-assistive-mml, '
    + '.highlight, .wl-cite').forEach(e => e.remove());
  return c.textContent;
}"""


def figure_pages() -> list[str]:
    return [p for p in chapters() if "cell_output" in (HTML / p).read_text(encoding="utf-8")]


def claim_pages() -> list[str]:
    return [p for p in chapters() if 'class="wl-claim"' in (HTML / p).read_text(encoding="utf-8")]


def png_text(path: Path) -> dict[str, str]:
    """The tEXt/iTXt/zTXt chunks of a PNG file."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return {}
    out, pos = {}, 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            out[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            flag, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\0")
            _, _, text = rest.partition(b"\0")
            out[key.decode("latin-1")] = (zlib.decompress(text) if flag else text).decode()
        pos += 12 + length
    return out


def local_file(url: str) -> Path:
    return HTML / unquote(urlparse(url).path).lstrip("/")


@pytest.fixture(scope="module")
def open_page(browser, site_url):
    contexts = []

    def open_(rel, width=1280, dark=False):
        ctx = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light"
        )
        mode = "dark" if dark else "light"
        ctx.add_init_script(
            f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{site_url}/{rel}", wait_until="load")
        if page.locator(".math").count():
            page.wait_for_function(
                "window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20_000
            )
            page.evaluate("MathJax.startup.promise")
        if dark:
            assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        return page

    yield open_
    for ctx in contexts:
        ctx.close()


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("rel", pages())
def test_no_source_text_on_the_page(open_page, rel):
    page = open_page(rel)
    try:
        text = page.evaluate(TEXT_JS)
        leaks = {
            name: sorted({m.group(0) for m in rx.finditer(text)})[:5]
            for name, rx in SOURCE_PATTERNS.items()
            if rx.search(text)
        }
        assert not leaks, f"{rel} shows source text: {leaks}"
    finally:
        page.close()


@pytest.mark.parametrize("rel", chapters())
def test_outputs_are_formatted_not_reprs(open_page, rel):
    page = open_page(rel)
    try:
        outputs = page.eval_on_selector_all(
            ".cell_output pre, .cell_output .output.text_plain", "es => es.map(e => e.textContent)"
        )
        long = sorted({m.group(0) for o in outputs for m in LONG_REPR.finditer(o)})
        assert not long, f"{rel} prints unrounded floats: {long[:5]}"
    finally:
        page.close()


@pytest.mark.parametrize("rel", claim_pages())
def test_claims_are_out_of_the_way_and_typeset(open_page, rel):
    page = open_page(rel)
    try:
        facts = page.evaluate(
            """() => {
          const claims = Array.from(document.querySelectorAll('.wl-claim'));
          return {
            claims: claims.length,
            loose: claims.filter(c => !c.closest('details.wl-claims')).length,
            openByDefault: document.querySelectorAll('details.wl-claims[open]').length,
            summaries: Array.from(document.querySelectorAll('details.wl-claims > summary'))
              .map(s => s.textContent.trim()),
            tex: claims.filter(c => JSON.parse(c.dataset.claim).statement.includes('$'))
              .map(c => ({id: JSON.parse(c.dataset.claim).id,
                          typeset: c.querySelectorAll('.wl-claim-statement mjx-container').length,
                          raw: ['$', '\\\\('].some(t => c.querySelector('.wl-claim-statement')
                            .textContent.includes(t))})),
            checkCells: document.querySelectorAll('.wl-check-cell').length,
            checkToggles: Array.from(document.querySelectorAll('.wl-check-cell details.hide'))
              .filter(d => !d.open && /Show the checks/.test(d.textContent)).length,
          };
        }"""
        )
        assert facts["claims"] > 0
        assert facts["loose"] == 0, "every claim box sits behind a summary"
        assert facts["openByDefault"] == 0
        total = 0
        for s in facts["summaries"]:
            m = re.fullmatch(r"✓ (\d+) claims? checked.*", s)
            assert m, s
            total += int(m.group(1))
        assert total == facts["claims"], (total, facts["claims"])
        assert facts["checkToggles"] == facts["checkCells"], "one closed control per check cell"
        for c in facts["tex"]:
            assert c["typeset"] > 0 and not c["raw"], f"claim {c['id']}: its TeX was not typeset"
        # Opening a summary shows the statements with their values and rivals.
        summary = page.locator("details.wl-claims > summary").first
        summary.scroll_into_view_if_needed()
        summary.click()
        box = page.locator("details.wl-claims[open] .wl-claim").first
        assert box.is_visible()
        assert "Measured" in box.inner_text()
        if rel.endswith("tp-preview.html") or rel.endswith("semicircle.html"):
            shoot(page, "claims-" + rel.replace("/", "-").removesuffix(".html"))
    finally:
        page.close()


def test_some_claim_statement_is_typeset_math():
    data = json.loads((HTML / "claims.json").read_text())["claims"]
    assert any("$" in c["statement"] for c in data), "no claim statement uses TeX yet"


@pytest.mark.parametrize("rel", figure_pages())
def test_figures_are_drawn_for_the_column(open_page, rel):
    page = open_page(rel)
    try:
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        imgs = page.eval_on_selector_all(
            ".cell_output img",
            """es => es.map(i => { const s = getComputedStyle(i);
                const pad = parseFloat(s.paddingLeft) + parseFloat(s.paddingRight)
                  + parseFloat(s.borderLeftWidth) + parseFloat(s.borderRightWidth);
                return {src: i.currentSrc, natural: i.naturalWidth,
                        shown: i.getBoundingClientRect().width - pad}; })""",
        )
        problems = []
        for img in imgs:
            scale = img["shown"] / img["natural"]
            meta = png_text(local_file(img["src"]))
            name = Path(urlparse(img["src"]).path).name[:12]
            if scale < MIN_SCALE:
                problems.append(f"{name}: shown at {scale:.0%} of {img['natural']} px")
            if FONT_KEY not in meta:
                problems.append(f"{name}: not drawn by widthlimits.plotting (no {FONT_KEY})")
                continue
            px = float(meta[FONT_KEY]) * float(meta["WidthLimits-dpi"]) / 72 * min(scale, 1.0)
            if px < MIN_FONT_PX:
                problems.append(f"{name}: smallest text {px:.1f} px ({meta[FONT_KEY]} pt)")
        assert not problems, problems
    finally:
        page.close()


@pytest.mark.parametrize("rel", pages())
def test_phone_has_no_sideways_scroll_and_math_stays_in_its_box(open_page, rel):
    page = open_page(rel, width=390)
    try:
        facts = page.evaluate(
            """() => {
          const vw = document.documentElement.clientWidth;
          const wide = Array.from(document.querySelectorAll('article.bd-article *'))
            .filter(e => { const r = e.getBoundingClientRect();
              if (r.width === 0 || r.right <= vw + 1) return false;
              if (e.closest('mjx-assistive-mml')) return false;
              // contained if some clipping or scrolling box around it fits the viewport
              for (let p = e.parentElement; p; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX;
                if ((o === 'auto' || o === 'scroll' || o === 'hidden')
                    && p.getBoundingClientRect().right <= vw + 1) return false;
              }
              return true; })
            .slice(0, 5).map(e => e.tagName + '.' + e.className);
          const overlaps = Array.from(document.querySelectorAll('div.math')).filter(d => {
            const n = d.querySelector('.eqno'), m = d.querySelector('mjx-container');
            if (!n || !m) return false;
            const a = n.getBoundingClientRect(), b = m.getBoundingClientRect();
            return a.left < b.right - 1 && b.left < a.right - 1
              && a.top < b.bottom && b.top < a.bottom;
          }).map(d => d.id);
          return {scroll: document.documentElement.scrollWidth, vw, wide, overlaps};
        }"""
        )
        assert facts["scroll"] <= facts["vw"], f"page scrolls sideways: {facts['wide']}"
        assert not facts["wide"], facts["wide"]
        assert not facts["overlaps"], f"equation numbers over their formulas: {facts['overlaps']}"
        if rel in ("probability/clt.html", "rmt/semicircle.html", "mup/abc.html"):
            shoot(page, "phone-" + rel.replace("/", "-").removesuffix(".html"))
    finally:
        page.close()


def axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


@pytest.mark.parametrize("rel", pages())
def test_dark_mode_contrast(open_page, rel):
    page = open_page(rel, dark=True)
    try:
        page.evaluate("document.querySelectorAll('details.wl-claims').forEach(d => d.open = true)")
        page.add_script_tag(content=axe_script())
        result = page.evaluate(
            "axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations']})"
            ".then(r => r.violations.flatMap(v => v.nodes.map(n => n.target.join(' ') + ': '"
            " + (n.any[0] ? n.any[0].message : ''))))"
        )
        assert not result, result[:5]
        if rel in ("probability/clt.html", "appendix/claims.html"):
            shoot(page, "dark-" + rel.replace("/", "-").removesuffix(".html"))
    finally:
        page.close()


def test_ledger_fits_is_grouped_and_filters(open_page):
    data = json.loads((HTML / "claims.json").read_text())["claims"]
    page = open_page("appendix/claims.html")
    try:
        facts = page.evaluate(
            """() => ({
          scroll: document.documentElement.scrollWidth, vw: document.documentElement.clientWidth,
          tables: Array.from(document.querySelectorAll('table.wl-ledger')).map(t => {
            const box = t.parentElement; return [box.scrollWidth, box.clientWidth,
              t.getBoundingClientRect().right]; }),
          heads: Array.from(document.querySelectorAll('table.wl-ledger')[0]
            .querySelectorAll('thead th')).map(th => th.textContent.trim()),
          groups: Array.from(document.querySelectorAll('.wl-ledger-group')).map(g => [
            g.querySelector('.wl-ledger-n').textContent,
            g.querySelectorAll('tr.wl-ledger-row').length]),
          spilled: Array.from(document.querySelectorAll('table.wl-ledger td'))
            .filter(td => td.scrollWidth > td.clientWidth + 1).length,
          mathRows: Array.from(document.querySelectorAll('tr.wl-ledger-row'))
            .filter(r => r.querySelector('mjx-container')).length,
        })"""
        )
        assert facts["scroll"] <= facts["vw"], "the ledger page scrolls sideways"
        for scroll_w, client_w, right in facts["tables"]:
            assert scroll_w <= client_w + 1 and right <= facts["vw"], facts["tables"]
        assert facts["spilled"] == 0, "ledger cells whose content spills out of them"
        assert facts["heads"] == ["Claim", "Statement", "Value", "Expectation", "Rival", "Status"]
        assert sum(n for _, n in facts["groups"]) == len(data)
        assert all(int(badge) == n for badge, n in facts["groups"])
        assert facts["mathRows"] == sum("$" in c["statement"] for c in data)
        shoot(page, "ledger")

        rows = "tr.wl-ledger-row:not([hidden])"
        target = data[-1]["id"]
        page.fill("#wl-ledger-q", target)
        visible = page.eval_on_selector_all(rows, "rs => rs.map(r => r.cells[0].textContent)")
        assert visible and all(target in v for v in visible), visible
        assert page.locator(".wl-ledger-group:not([hidden])").count() >= 1
        page.fill("#wl-ledger-q", "")
        page.select_option("#wl-ledger-status", "failed")
        assert page.locator(rows).count() == sum(not c["passed"] for c in data)
        page.select_option("#wl-ledger-status", "passed")
        assert page.locator(rows).count() == sum(c["passed"] for c in data)
        assert str(len(data)) in page.inner_text("#wl-ledger-count")
    finally:
        page.close()


MENU_WORDS = ("System Settings", "Light", "Dark", "Search Ctrl+K", "Color mode")
THEME_TOC = re.compile(r"\bContents\s*\n")  # the theme's "Contents" box of section links


def test_search_snippets_are_chapter_text(open_page):
    page = open_page("search.html?q=Kolmogorov")
    try:
        page.wait_for_selector("#search-results li p.context", timeout=20_000)
        snippets = page.eval_on_selector_all(
            "#search-results li p.context", "ps => ps.map(p => p.textContent)"
        )
        assert snippets
        for s in snippets:
            assert not any(w in s for w in MENU_WORDS), s
            assert not THEME_TOC.search(s), f"the page's table of contents in a snippet: {s}"
            assert "\\(" not in s and "\\[" not in s, f"TeX markup in a snippet: {s}"
        assert any("kolmogorov" in s.lower() for s in snippets), snippets
        shoot(page, "search")
    finally:
        page.close()


@pytest.mark.parametrize("rel", chapters())
def test_chapter_says_where_it_sits_and_how_long_it_reads(open_page, rel):
    page = open_page(rel)
    try:
        text = page.locator(".wl-whereami").first.inner_text()
        assert re.search(r"Part [IVX]+(\([ab]\))? · chapter \d+ of \d+ · \d+ min read", text), text
    finally:
        page.close()


def test_glossary_terms_preview_on_hover_and_focus(open_page):
    """Hovering a glossary link in a chapter shows its definition, typeset, from this site's own
    files; Escape closes it; keyboard focus opens it too."""
    page = open_page("tp/master-theorem.html")
    try:
        link = page.locator("a.wl-term-link").first
        assert link.count() == 1, "no glossary link is marked for previews"
        term = link.inner_text().strip().lower()
        link.hover()
        tip = page.locator("#wl-glossary-tip")
        tip.wait_for(state="visible", timeout=5_000)
        assert term.split()[0] in tip.inner_text().lower()
        assert len(tip.inner_text()) > 40  # a definition, not just the term
        page.keyboard.press("Escape")
        tip.wait_for(state="hidden", timeout=5_000)
        link.focus()
        tip.wait_for(state="visible", timeout=5_000)
        shoot(page, "glossary-preview")
    finally:
        page.close()
