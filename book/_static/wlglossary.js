// Hover previews of glossary terms: a {term} link shows its definition in a small tooltip on
// hover or keyboard focus. The definitions come from wlglossary-data.js, written at build time
// from the glossary page, so nothing is loaded from another host.
(() => {
  "use strict";
  let tip = null;
  let current = null;
  let hideTimer = null;
  let mathjaxLoading = null;

  function anchorOf(link) {
    const href = link.getAttribute("href") || "";
    const i = href.indexOf("#");
    return i >= 0 ? decodeURIComponent(href.slice(i + 1)) : "";
  }

  function typeset(el) {
    if (!el.querySelector(".math")) return;
    if (window.MathJax && window.MathJax.typesetPromise) {
      window.MathJax.typesetPromise([el]).catch(() => {});
      return;
    }
    // A page without math of its own has no MathJax: load the site's copy once, on demand.
    if (!mathjaxLoading) {
      const root = document.documentElement.dataset.content_root || "";
      mathjaxLoading = new Promise((resolve) => {
        const s = document.createElement("script");
        s.src = root + "_static/mathjax/es5/tex-chtml.js";
        s.async = true;
        s.onload = resolve;
        document.head.appendChild(s);
      });
    }
    mathjaxLoading.then(() => {
      const mj = window.MathJax;
      if (mj && mj.startup && mj.startup.promise) {
        mj.startup.promise.then(() => mj.typesetPromise([el])).catch(() => {});
      }
    });
  }

  function place(link) {
    const r = link.getBoundingClientRect();
    const width = Math.min(360, document.documentElement.clientWidth - 16);
    tip.style.width = width + "px";
    let left = r.left + window.scrollX;
    left = Math.max(8 + window.scrollX, Math.min(left, window.scrollX + document.documentElement.clientWidth - width - 8));
    tip.style.left = left + "px";
    const below = r.bottom + window.scrollY + 6;
    tip.style.top = below + "px";
    const h = tip.offsetHeight;
    if (r.bottom + 6 + h > window.innerHeight && r.top - 6 - h > 0) {
      tip.style.top = r.top + window.scrollY - 6 - h + "px";
    }
  }

  function show(link) {
    const data = window.WL_GLOSSARY || {};
    const entry = data[anchorOf(link)];
    if (!entry) return;
    clearTimeout(hideTimer);
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "wl-glossary-tip";
      tip.className = "wl-glossary-tip";
      tip.setAttribute("role", "tooltip");
      tip.addEventListener("mouseenter", () => clearTimeout(hideTimer));
      tip.addEventListener("mouseleave", hideSoon);
      document.body.appendChild(tip);
    }
    if (current !== link) {
      tip.innerHTML = "";
      const head = document.createElement("p");
      head.className = "wl-glossary-tip-term";
      head.textContent = entry.term;
      const body = document.createElement("div");
      body.className = "wl-glossary-tip-body";
      body.innerHTML = entry.html;
      tip.append(head, body);
      typeset(body);
    }
    if (current && current !== link) current.removeAttribute("aria-describedby");
    current = link;
    link.setAttribute("aria-describedby", tip.id);
    tip.hidden = false;
    place(link);
  }

  function hide() {
    if (tip) tip.hidden = true;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 150);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const links = document.querySelectorAll("a.reference.internal");
    links.forEach((link) => {
      if (!link.querySelector(".std-term")) return;
      link.classList.add("wl-term-link");
      link.addEventListener("mouseenter", () => show(link));
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("focus", () => show(link));
      link.addEventListener("blur", hideSoon);
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") hide();
    });
  });
})();
