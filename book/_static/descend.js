/* Descend: small accessibility fixes applied to every page.
 * 1. docutils marks the bibliography <div class="citation-list"> as role="list", but its
 *    children are citations (role="doc-biblioentry"), not list items, which screen
 *    readers (and axe-core's aria-required-children rule) reject: drop the list role.
 * 2. The theme's navigation toggles are <summary> elements holding only an icon: give
 *    each a name ("Show the pages of <section>"). */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('.citation-list[role="list"]').forEach(function (el) {
    el.removeAttribute("role");
  });
  document.querySelectorAll("summary").forEach(function (el) {
    if (el.textContent.trim() || el.getAttribute("aria-label")) return;
    var item = el.closest("li");
    var link = item && item.querySelector(":scope > a");
    var name = link ? link.textContent.trim() : "this section";
    el.setAttribute("aria-label", "Show the pages of " + name);
  });
});
