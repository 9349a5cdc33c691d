/* Descend: fix-ups for the ipywidgets manager on the static website.
 * Loaded (by nb_ipywidgets_js in _config.yml) just before require.js and the widget
 * manager, on pages that hold widgets only.
 *
 * 1. The manager finds its fonts relative to its require.js module name, which is not
 *    where the file lives: point window.__jupyter_widgets_assets_path__ and require.js's
 *    path for the module at the vendored copy (../assets/html-manager/ from _static/).
 * 2. ipywidgets typesets labels with MathJax 2's MathJax.Hub.Queue, absent in
 *    MathJax 3: give MathJax 3 a small Hub.Queue that calls typesetPromise.
 * 3. The slider handle (role="slider") has no accessible name: name it after the
 *    explorer's title, and keep its aria-valuetext equal to the shown value.
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  if (here) {
    var manager = new URL("../assets/html-manager/", here).href;
    window.__jupyter_widgets_assets_path__ = manager + "dist/";
    // require.js reads a `require` object defined before it loads as its configuration:
    // map the manager's module names to the vendored folder, so the modules that
    // locate their fonts from their own module path find them there.
    if (typeof window.require === "undefined") {
      window.require = { paths: { "@jupyter-widgets/html-manager": manager.replace(/\/$/, "") } };
    }
  }

  function patchMathJax() {
    var MJ = window.MathJax;
    if (!MJ || !MJ.version || MJ.Hub) return; // not loaded, MathJax 2, or done
    MJ.Hub = {
      Queue: function () {
        var elements = [];
        for (var i = 0; i < arguments.length; i++) {
          var job = arguments[i];
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) elements.push(job[2]);
        }
        var mj = window.MathJax;
        var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
        return ready.then(function () {
          if (mj.typesetPromise) return mj.typesetPromise(elements);
        }).catch(function (err) { console.warn("MathJax typeset failed", err); });
      },
    };
  }
  patchMathJax();
  document.addEventListener("DOMContentLoaded", patchMathJax, true);
  window.addEventListener("load", patchMathJax, true);

  function nameSliders(root) {
    var boxes = root.querySelectorAll(".descend-explorer, .descend-playground");
    boxes.forEach(function (box) {
      var title = box.querySelector(".descend-explorer-title, .descend-playground-title");
      var name = title ? title.textContent.trim() : "explorer";
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", name);
      box.querySelectorAll(".widget-slider, .widget-hslider").forEach(function (w) {
        var readout = w.querySelector(".widget-readout");
        w.querySelectorAll('[role="slider"]').forEach(function (h) {
          var value = readout ? readout.textContent.trim() : "";
          h.setAttribute("aria-label", name + (value ? " (" + value.split("=")[0].trim() + ")" : ""));
          if (value) h.setAttribute("aria-valuetext", value);
        });
      });
    });
  }
  var observer = new MutationObserver(function () { nameSliders(document); });
  document.addEventListener("DOMContentLoaded", function () {
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    nameSliders(document);
  });
})();
