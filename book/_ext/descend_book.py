"""A small Sphinx extension for the Descend book (loaded by _config.yml's local_extensions).

* Launch buttons (Binder, Colab) only make sense for pages that are Jupyter notebooks on
  disk: the Welcome page is a Markdown file that runs one hidden cell to draw its figure,
  and Colab cannot open a Markdown file. Drop the launch group from such pages.
* Live explorers (:mod:`descend.live`): their notebook outputs hold a placeholder
  ``<div class="descend-live" ...>`` (myst-nb is told to prefer that ``text/html`` over
  the widget view, ``nb_mime_priority_overrides`` in _config.yml). Copy the explorers'
  ES modules from the installed package to ``_build/html/live/`` (not ``_static/``: Jupyter
  Book adds every ``.js`` there to every page as a classic script) and load the loader
  ``live/site.js`` as a module on the pages holding a placeholder, and only there.
  The notebook's saved widget state would carry each live explorer's state a second time
  (with the explorers' sources): drop the anywidget models from the page's widget state,
  and the widget manager's scripts with it. Every explorer of the book, the precomputed
  ones too (``descend.widgets.explorer``), is such a live widget, so no page loads the
  ipywidgets manager (``require.js`` and ``embed-amd.js``, 940 KB gzipped); a page whose
  state still holds other widgets (plain ipywidgets) gets a warning, an error under
  ``-W``, saying so (its manager scripts are kept, so the page would still work).
* Precomputed explorers (``descend.widgets.explorer``, kind ``frames``) carry their PNG
  frames as data URIs, as a notebook needs them. On the website each frame becomes a file,
  ``live/frames/<hash>.png``, and the placeholder's state names it instead: a reader's
  browser then fetches only the frame shown, and the others when the reader first reaches
  for the explorer (``frames.js``), not all of them with the page.
* The kernels that execute the chapters talk to the build over encrypted sockets: ipykernel
  (7.x) warns "Kernel is running over TCP without encryption" once per notebook unless its
  kernel manager provisions CurveZMQ keys, which jupyter_client does only when asked
  (``KernelManager.transport_encryption``, default "disabled"). myst-nb and jupyter-cache
  start their kernels through nbclient with no configuration to pass, so the default is set
  here: "auto" encrypts every kernel whose kernelspec declares support (ipykernel's does) and
  leaves any other kernel as it was.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.manager import KernelManager
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

PLACEHOLDER = 'class="descend-live"'


def _launch_buttons_only_for_ipynb(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or str(app.env.doc2path(pagename)).endswith(".ipynb"):
        return
    buttons = context.get("header_buttons")
    if buttons:
        context["header_buttons"] = [b for b in buttons if b.get("label") != "launch-buttons"]


def _live_loader_where_needed(app, pagename, templatename, context, doctree) -> None:
    if PLACEHOLDER in context.get("body", ""):
        # relative to _static/, hence the ../ (Sphinx adds it to this page only)
        app.add_js_file("../live/site.js", type="module")


FRAMES_STATE = re.compile(r'(<div class="descend-live" data-kind="frames" data-state=")([^"]*)"')
FRAME_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
FRAMES_DIR = "live/frames"


def _frames_as_files(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    if 'data-kind="frames"' not in body:
        return
    out = Path(app.outdir) / FRAMES_DIR
    out.mkdir(parents=True, exist_ok=True)
    url = posixpath.relpath(FRAMES_DIR, posixpath.dirname(pagename) or ".")

    def to_file(match: re.Match) -> str:
        png = base64.b64decode(match[1])
        name = hashlib.sha256(png).hexdigest()[:24] + ".png"
        if not (out / name).exists():  # the same frame on two pages is one file
            (out / name).write_bytes(png)
        return f"{url}/{name}"

    def in_state(match: re.Match) -> str:
        return f'{match[1]}{FRAME_URI.sub(to_file, match[2])}"'

    context["body"] = FRAMES_STATE.sub(in_state, body)


def _without_live_widget_state(app, pagename, templatename, context, doctree) -> None:
    # runs before myst-nb's own html-page-context handler, which adds the page's scripts
    js_files = getattr(app.env, "nb_metadata", {}).get(pagename, {}).get("js_files", {})
    entry = js_files.get("ipywidgets_state")
    if entry is None:
        return
    uri, kwargs = entry
    widgets = json.loads(kwargs["body"])  # its "<\\/script>" is JSON for "</script>"
    state = widgets["state"]
    kept = {k: m for k, m in state.items() if m.get("model_module") != "anywidget"}
    # layouts and styles belong to the widgets that name them
    parts = ("LayoutModel", "StyleModel")
    others = [m for m in kept.values() if not m.get("model_name", "").endswith(parts)]
    if others:
        names = sorted({m.get("model_name", "?") for m in others})
        LOGGER.warning(
            "the page holds ipywidgets (%s), which need the ipywidgets manager (940 KB) on "
            "the website; show figures with descend.widgets.explorer or a descend.live "
            "explorer instead",
            ", ".join(names),
            location=pagename,
            type="descend",
            subtype="widget_manager",
        )
    if len(kept) == len(state):
        return
    named = set(re.findall(r"IPY_MODEL_(\w+)", json.dumps(others)))
    kept = {k: m for k, m in kept.items() if not m["model_name"].endswith(parts) or k in named}
    if kept:
        body = json.dumps({**widgets, "state": kept}).replace("</script>", "<\\/script>")
        js_files["ipywidgets_state"] = (uri, {**kwargs, "body": body})
    else:  # only live explorers: no widget manager on this page
        for key in [k for k in js_files if k.startswith("ipywidgets_")]:
            del js_files[key]


def _copy_live_modules(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from descend import live

    out = Path(app.outdir) / "live"
    out.mkdir(exist_ok=True)
    for name in live.JS_FILES:
        shutil.copyfile(live.HERE / name, out / name)


def setup(app) -> dict[str, Any]:
    if zmq.has("curve"):  # pyzmq's wheels have it; a libzmq built without libsodium has not
        KernelManager.transport_encryption.default_value = "auto"
    # after sphinx-book-theme adds its buttons (priority 501)
    app.connect("html-page-context", _launch_buttons_only_for_ipynb, priority=900)
    app.connect("html-page-context", _live_loader_where_needed)
    app.connect("html-page-context", _frames_as_files)
    # before myst-nb's handler (priority 500) writes the widget state into the page
    app.connect("html-page-context", _without_live_widget_state, priority=400)
    app.connect("build-finished", _copy_live_modules)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
