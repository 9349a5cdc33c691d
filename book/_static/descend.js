/* Descend: small accessibility fixes applied to every page.
 * docutils marks the bibliography <div class="citation-list"> as role="list", but its
 * children are citations (role="doc-biblioentry"), not list items, which screen readers
 * (and axe-core's aria-required-children rule) reject: drop the list role. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('.citation-list[role="list"]').forEach(function (el) {
    el.removeAttribute("role");
  });
});
