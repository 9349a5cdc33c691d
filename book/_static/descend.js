/* Descend: small fixes applied to every page.
 * 1. docutils marks the bibliography <div class="citation-list"> as role="list", but its
 *    children are citations (role="doc-biblioentry"), not list items, which screen
 *    readers (and axe-core's aria-required-children rule) reject: drop the list role.
 * 2. The theme's navigation toggles are <summary> elements holding only an icon: give
 *    each a name ("Show the pages of <section>").
 * 3. Phones. A figure is a PNG whose text shrinks with it: drawn at the width of a phone's
 *    column, a figure's 10-point labels would be 5 to 7 CSS pixels high. Each figure keeps
 *    a minimum width at which its smallest text (10 pt in the book style) stays at least
 *    8 CSS pixels, and one wider than the column scrolls sideways in its own box (the page
 *    never does). Figures are drawn at the book style's 100 dots per inch; explorer frames
 *    at 72 to 90, so frames assume 72 (the smallest). On a wide screen nothing changes. */
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

(function () {
  "use strict";
  var MIN_TEXT_PX = 8;
  var SMALLEST_PT = 10;
  var FIGURE = ".cell_output img, figure img, img.descend-frame";

  function keepReadable(img) {
    if (!img.naturalWidth || !img.matches(FIGURE)) return;
    if (!/\.png|^data:image\/png/i.test(img.currentSrc || img.src)) return;
    var dpi = img.classList.contains("descend-frame") ? 72 : 100;
    var scale = MIN_TEXT_PX / ((SMALLEST_PT * dpi) / 72);
    img.style.minWidth = Math.ceil(Math.min(1, scale) * img.naturalWidth) + "px";
    var box = img.closest(".descend-frames");
    if (!box) {
      box = img.parentElement;
      if (box && !box.classList.contains("descend-scroll-x")) {
        var wrap = document.createElement("div");
        wrap.className = "descend-scroll-x";
        box.insertBefore(wrap, img);
        wrap.appendChild(img);
        box = wrap;
      }
    }
    // a box that scrolls must be reachable by the keyboard (arrow keys then scroll it)
    if (box && box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
  }
  // load events do not bubble: listen while they go down (frames arrive after the page)
  document.addEventListener(
    "load",
    function (e) {
      if (e.target.tagName === "IMG") keepReadable(e.target);
    },
    true
  );
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(FIGURE).forEach(function (img) {
      if (img.complete) keepReadable(img);
    });
  });
})();
