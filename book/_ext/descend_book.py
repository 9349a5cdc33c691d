"""A small Sphinx extension for the Descend book (loaded by _config.yml's local_extensions).

Launch buttons (Binder, Colab) only make sense for pages that are Jupyter notebooks on
disk: the Welcome page is a Markdown file that runs one hidden cell to draw its figure,
and Colab cannot open a Markdown file. Drop the launch group from such pages.

The kernels that execute the chapters talk to the build over encrypted sockets: ipykernel
(7.x) warns "Kernel is running over TCP without encryption" once per notebook unless its
kernel manager provisions CurveZMQ keys, which jupyter_client does only when asked
(``KernelManager.transport_encryption``, default "disabled"). myst-nb and jupyter-cache
start their kernels through nbclient with no configuration to pass, so the default is set
here: "auto" encrypts every kernel whose kernelspec declares support (ipykernel's does) and
leaves any other kernel as it was.
"""

from __future__ import annotations

from typing import Any

import zmq
from jupyter_client.manager import KernelManager


def _launch_buttons_only_for_ipynb(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or str(app.env.doc2path(pagename)).endswith(".ipynb"):
        return
    buttons = context.get("header_buttons")
    if buttons:
        context["header_buttons"] = [b for b in buttons if b.get("label") != "launch-buttons"]


def setup(app) -> dict[str, Any]:
    if zmq.has("curve"):  # pyzmq's wheels have it; a libzmq built without libsodium has not
        KernelManager.transport_encryption.default_value = "auto"
    # after sphinx-book-theme adds its buttons (priority 501)
    app.connect("html-page-context", _launch_buttons_only_for_ipynb, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
