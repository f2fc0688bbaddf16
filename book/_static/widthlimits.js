// Width Limits: small repairs and reader aids on top of the theme (issue 11).
"use strict";

// Search snippets: Sphinx's search takes a result's text from [role=main], which in this theme
// starts with the header buttons ("System Settings Light Dark"). Take it from the article, without
// the collapsed checks and the citation box.
function wlPlainTex(tex) {
  return tex
    .replace(/\\[()[\]]/g, "")
    .replace(/\\(?:left|right|big|Big|bigg|Bigg|[,;:!]|quad|qquad)/g, " ")
    .replace(/\\([a-zA-Z]+)/g, "$1")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function wlPatchSearch() {
  if (typeof Search === "undefined" || !Search.htmlToText || Search.wlPatched) return;
  const original = Search.htmlToText;
  const drop = [
    ".headerlink", "script", "style", ".bd-header-article", ".header-article-items",
    ".theme-switch-container", ".prev-next-area", ".prev-next-footer", ".wl-cite",
    ".wl-check-cell", "details.wl-claims", ".wl-code-links", ".bd-sidebar-secondary",
  ];
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    const article = doc.querySelector("article.bd-article");
    if (!article) return original(htmlString, anchor);
    drop.forEach((q) => article.querySelectorAll(q).forEach((e) => e.remove()));
    // Math reads as plain words in a snippet: displays are dropped, inline TeX loses its markup.
    article.querySelectorAll("div.math").forEach((e) => e.remove());
    article.querySelectorAll("span.math").forEach((e) => {
      e.textContent = wlPlainTex(e.textContent);
    });
    if (anchor) {
      const block = article.querySelector(anchor);
      if (block) return block.textContent;
    }
    return article.textContent;
  };
  Search.wlPatched = true;
}
wlPatchSearch();

// The claims ledger: filter by text and status; the per-chapter counts follow the filter.
function wlLedgerFilter() {
  const q = document.getElementById("wl-ledger-q");
  const status = document.getElementById("wl-ledger-status");
  if (!q || !status) return;
  const count = document.getElementById("wl-ledger-count");
  const groups = Array.from(document.querySelectorAll(".wl-ledger-group"));
  const total = document.querySelectorAll("tr.wl-ledger-row").length;
  const apply = () => {
    const words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    const want = status.value;
    let shown = 0;
    groups.forEach((g) => {
      const chapter = (g.querySelector(".wl-ledger-chapter")?.textContent || "").toLowerCase();
      let n = 0;
      g.querySelectorAll("tr.wl-ledger-row").forEach((row) => {
        const text = chapter + " " + row.textContent.toLowerCase();
        const ok = words.every((w) => text.includes(w)) &&
          (!want || row.classList.contains("wl-status-" + want));
        row.hidden = !ok;
        n += ok;
      });
      g.hidden = n === 0;
      const badge = g.querySelector(".wl-ledger-n");
      if (badge) badge.textContent = n === g.querySelectorAll("tr.wl-ledger-row").length
        ? String(n) : `${n} of ${g.querySelectorAll("tr.wl-ledger-row").length}`;
      shown += n;
    });
    if (count) count.textContent = shown === total ? `${total} claims` : `${shown} of ${total} claims`;
  };
  q.addEventListener("input", apply);
  status.addEventListener("change", apply);
  const initial = new URLSearchParams(window.location.search).get("q");
  if (initial) q.value = initial;
  apply();
}

// On a narrow screen a figure keeps at least 75% of its drawn size (so its 9 pt labels stay
// readable) and scrolls sideways inside its own box instead of shrinking to a thumbnail.
const WL_NARROW = 640;
const WL_MIN_SCALE = 0.75;
function wlFitFigures() {
  const narrow = window.innerWidth <= WL_NARROW;
  document.querySelectorAll(".cell_output img").forEach((img) => {
    const box = img.parentElement;
    if (!img.naturalWidth || !box) return;
    if (!narrow) {
      box.classList.remove("wl-figure-scroll");
      img.style.width = "";
      return;
    }
    box.classList.add("wl-figure-scroll");
    const avail = box.clientWidth;
    const width = Math.min(img.naturalWidth, Math.max(avail, WL_MIN_SCALE * img.naturalWidth));
    img.style.width = `${Math.round(width)}px`;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  wlPatchSearch();
  // Disclosure toggles whose <summary> holds only an icon get a name screen readers can read.
  document.querySelectorAll("summary").forEach((s) => {
    if (!s.textContent.trim() && !s.getAttribute("aria-label")) {
      s.setAttribute("aria-label", "Show or hide this section");
    }
  });
  // sphinxcontrib-bibtex marks the bibliography as a list whose children are not list items.
  document.querySelectorAll('.citation-list[role="list"]').forEach((l) => l.removeAttribute("role"));
  wlLedgerFilter();
  document.querySelectorAll(".cell_output img").forEach((img) => {
    if (!img.complete) img.addEventListener("load", wlFitFigures, { once: true });
  });
  wlFitFigures();
  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(wlFitFigures);
  });
});
