// Small accessibility repairs of markup that the theme and extensions generate.
document.addEventListener("DOMContentLoaded", () => {
  // Disclosure toggles whose <summary> holds only an icon get a name screen readers can read.
  document.querySelectorAll("summary").forEach((s) => {
    if (!s.textContent.trim() && !s.getAttribute("aria-label")) {
      s.setAttribute("aria-label", "Show or hide this section");
    }
  });
  // sphinxcontrib-bibtex marks the bibliography as a list whose children are not list items.
  document.querySelectorAll('.citation-list[role="list"]').forEach((l) => l.removeAttribute("role"));
});
