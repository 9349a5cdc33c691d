"""The in-browser engine against descend, and the live playground's frame rate.

* Time per epoch of the same training, side by side in one run: descend
  (``ds.train.train``) and the engine (``engine.js``'s ``train`` in headless Chromium),
  a [2, 8, 8, 1] tanh network (binary cross-entropy, Adam) on 400 points of
  ``two_moons``, at batch sizes 1, 10 and 400. Both start from the same weights and see
  the batches in the same order (the engine is handed descend's permutations), so their
  final losses must agree; they are reported beside the times.
* The chapter-9 playground (default settings: spirals, [2, 8, 8, 1] tanh, Adam, batch 10)
  mounted by the website's loader and playing for a few seconds: animation frames per
  second (each one redraws the boundary and the curves) and epochs per second.

Run by ``python benchmarks/run.py --only engine``.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socketserver
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import timing

import descend as ds
import descend.live as live

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SIZES, N, BATCHES = [2, 8, 8, 1], 400, (1, 10, 400)
EPOCHS = {1: 4, 10: 20, 400: 100}  # per timed run: about the same work at each batch size


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _serve(folder: Path) -> tuple[socketserver.TCPServer, str]:
    httpd = socketserver.ThreadingTCPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def _workload(seed: int = 0):
    rng = np.random.default_rng(seed)
    X, y = ds.data.two_moons(N, 0.2, rng=rng)
    return X, y, ds.Network(SIZES, activation="tanh", rng=rng)


def _descend_run(X, y, net0, batch: int, epochs: int) -> float:
    net = net0.copy()
    h = ds.train.train(
        net,
        X,
        y,
        ds.optim.Adam(lr=0.01),
        epochs=epochs,
        batch_size=batch,
        rng=np.random.default_rng(1),
    )
    return h.epoch_losses[-1]


JS_RUN = """async ([X, y, params, batch, epochs, orders, repeats]) => {
  const E = window.E;
  const data = {X: E.fromRows(X), y};
  const run = () => {
    const net = E.network({sizes: [2, 8, 8, 1], activation: 'tanh', params});
    const h = E.train(net, E.optimizer('adam', {lr: 0.01}), data,
                      {epochs, batchSize: batch, orders});
    return h.epoch_losses[h.epoch_losses.length - 1];
  };
  run();  // warm-up (the JIT compiles the loops)
  const times = [];
  let last;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    last = run();
    times.push(performance.now() - t0);
  }
  return {times, last};
}"""


def engine_vs_descend(page, repeats: int) -> list[dict[str, Any]]:
    X, y, net0 = _workload()
    params = {k: v.tolist() for k, v in net0.params.items()}
    rows = []
    for batch in BATCHES:
        epochs = EPOCHS[batch]
        rng = np.random.default_rng(1)  # descend's draws: one permutation per epoch
        orders = [rng.permutation(N).tolist() for _ in range(epochs)] if batch < N else None
        timing.set_blas_threads(1)
        py = timing.median_time(lambda b=batch, e=epochs: _descend_run(X, y, net0, b, e), repeats)
        js = page.evaluate(JS_RUN, [X.tolist(), y.tolist(), params, batch, epochs, orders, repeats])
        rows.append(
            {
                "batch": batch,
                "epochs": epochs,
                "descend_epoch_ms": py["median"] * 1e3 / epochs,
                "engine_epoch_ms": statistics.median(js["times"]) / epochs,
                "descend_final_loss": py["result"],
                "engine_final_loss": js["last"],
                "repeats": repeats,
            }
        )
        timing.log(f"batch {batch}: {rows[-1]}")
    return rows


FPS = """(seconds) => new Promise((resolve) => {
  const status = () => document.querySelector('.dl-status').textContent;
  const epoch = () => +(/epoch (\\d+)/.exec(status()) || [0, 0])[1];
  let frames = 0;
  const gaps = [];
  let last = performance.now();
  const e0 = epoch(), t0 = last;
  const tick = (now) => {
    frames++;
    gaps.push(now - last);
    last = now;
    if (now - t0 < seconds * 1000) requestAnimationFrame(tick);
    else resolve({frames, seconds: (now - t0) / 1000, epochs: epoch() - e0, gaps,
                  status: status()});
  };
  requestAnimationFrame(tick);
})"""


def playground_speed(browser, seconds: float = 5.0) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="descend-engine-bench-"))
    try:
        (folder / "live").mkdir()
        for name in live.JS_FILES:
            shutil.copy(live.HERE / name, folder / "live" / name)
        widget = live.playground(np.random.default_rng(9), data="spirals", noise=0.05)
        (folder / "index.html").write_text(
            "<!doctype html><html data-theme='light'><body>"
            + widget.placeholder_html()
            + "<script type='module' src='live/site.js'></script></body></html>"
        )
        httpd, base = _serve(folder)
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(base)
        page.wait_for_selector("[data-mounted='true']")
        page.get_by_role("button", name="Play").click()
        time.sleep(0.5)
        out = page.evaluate(FPS, seconds)
        page.close()
        httpd.shutdown()
        gaps = out.pop("gaps")[1:]
        return {
            **out,
            "fps": out["frames"] / out["seconds"],
            "epochs_per_s": out["epochs"] / out["seconds"],
            "frame_ms_p50": timing.percentile(gaps, 50),
            "frame_ms_p95": timing.percentile(gaps, 95),
            "settings": widget.settings,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(repeats: int = 7, quick: bool = False) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            httpd, base = _serve(live.HERE)
            page = browser.new_page()
            page.goto(base)
            page.evaluate("async () => { window.E = await import('./engine.js'); }")
            version = browser.version
            rows = engine_vs_descend(page, 3 if quick else repeats)
            page.close()
            httpd.shutdown()
            speed = playground_speed(browser, 3.0 if quick else 6.0)
        finally:
            browser.close()
    return {
        "chromium": version,
        "workload": {
            "sizes": SIZES,
            "activation": "tanh",
            "loss": "binary_cross_entropy",
            "optimizer": "Adam(lr=0.01)",
            "data": f"two_moons(n={N}, noise=0.2)",
        },
        "rows": rows,
        "playground": speed,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(repeats=3, quick=True), indent=1, default=float))
