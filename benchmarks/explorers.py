"""Explorers and playgrounds: precompute time, page weight, and playground latency.

Each chapter notebook is executed with nbclient, with two cells added:

* first, a cell that wraps ``descend.widgets.explorer``, ``explorer2d`` and
  ``playground`` so that every call records how long it took and, for explorers, the
  number of frames and the bytes of their HTML (raw and gzipped);
* last, a cell that changes every control of every playground, one value at a time,
  exactly as a learner's slider would (assigning ``control.value`` runs the callback
  the playground registered with ``observe``), timing each change: the latency from
  a release of the slider to the new figure being in the output widget.

The page weight is measured on the built website (``_build/html`` of the book part's
clean build): every chapter page's HTML, which embeds the explorers' frames, gzipped
at level 6 (a common server default). The scripts and styles every page shares are
reported once, apart: a reader's browser fetches them once.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

from timing import ROOT, log, percentile

MARK = "DESCEND-BENCHMARK-RESULT:"
VALUES_PER_CONTROL = 6  # values each playground control is set to, in turn

SETUP = r"""
import gzip as _bgz, json as _bjs, time as _btm
import ipywidgets as _bW
import descend.widgets as _bw
_BENCH = {"explorers": [], "playgrounds": []}

def _bench_frames(w, out):
    # a precomputed explorer is a descend.live.frames.Frames: frames = [{"alt", "src"}]
    out.extend(f["src"] for f in getattr(w, "frames", None) or ())
    return out

def _bench_wrap(kind, fn):
    def wrapped(*args, **kwargs):
        t0 = _btm.perf_counter()
        box = fn(*args, **kwargs)
        dt = _btm.perf_counter() - t0
        frames = _bench_frames(box, [])
        html = "".join(frames).encode()
        entry = {"kind": kind, "title": kwargs.get("title"), "seconds": dt,
                 "frames": len(frames), "html_bytes": len(html),
                 "gzip_bytes": len(_bgz.compress(html, 6))}
        if kind == "playground":
            controls = kwargs.get("controls", args[1] if len(args) > 1 else None)
            _BENCH["playgrounds"].append((entry, box, controls))
        else:
            _BENCH["explorers"].append(entry)
        return box
    return wrapped

_bw.explorer = _bench_wrap("explorer", _bw.explorer)
_bw.explorer2d = _bench_wrap("explorer2d", _bw.explorer2d)
"""

FINISH = r"""
_bench_finish_t0 = _btm.perf_counter()
_bench_png = []
_bench_fig_to_png = _bw.fig_to_png

def _bench_timed(fn):
    def timed(*args, **kwargs):
        t0 = _btm.perf_counter()
        out = fn(*args, **kwargs)
        _bench_png.append(_btm.perf_counter() - t0)
        return out
    return timed

_bw.fig_to_png = _bench_timed(_bench_fig_to_png)   # time the rasterising and encoding apart

def _bench_values(c, k):
    opts = getattr(c, "options", None)
    if opts:
        vals = [o[1] if isinstance(o, tuple) else o for o in opts]
        return [vals[i % len(vals)] for i in range(k)]
    lo, hi = getattr(c, "min", None), getattr(c, "max", None)
    if lo is None or hi is None:
        return [not c.value] if isinstance(c.value, bool) else []
    step = getattr(c, "step", None) or (hi - lo) / 20
    n = max(1, int(round((hi - lo) / step)))
    grid = [lo + round(i * n / max(1, k - 1)) * step for i in range(k)]
    if hasattr(c, "base"):  # FloatLogSlider: min, max and step are exponents
        return [c.base ** min(hi, e) for e in grid]
    return [type(c.value)(min(hi, v)) for v in grid]

def _bench_settle(box):
    if hasattr(box, "wait"):
        box.wait(120)

import resource as _bres
_bru = _bres.getrusage(_bres.RUSAGE_SELF)   # the kernel's CPU time so far: the notebook's work
_bench_out = {"explorers": _BENCH["explorers"], "playgrounds": [],
              "kernel_cpu_s": _bru.ru_utime + _bru.ru_stime}
for _entry, _box, _controls in _BENCH["playgrounds"]:
    _lat, _whole, _png, _frames, _errors = [], [], [], [], 0
    _status = [w for w in _box.children if "descend-playground-status" in w._dom_classes]
    _image = [w for w in _box.children if isinstance(w, _bW.HTML) and "descend-frame" in w.value][0]
    for _name, _c in dict(_controls).items():
        _start = _c.value
        for _v in _bench_values(_c, @VALUES@):
            if _v == _c.value:
                continue
            _bench_settle(_box)
            _before = _image.value
            _bench_png.clear()
            _t0 = _btm.perf_counter()
            _c.value = _v      # runs the playground's observe callback, as a slider does
            # latency: until the first picture of the new setting is in the output widget
            while _image.value == _before and _btm.perf_counter() - _t0 < 120:
                _btm.sleep(0.0005)
            _lat.append(_btm.perf_counter() - _t0)
            _first_png = _bench_png[0] if _bench_png else 0.0
            _bench_settle(_box)   # a live playground's run: until its last frame
            _whole.append(_btm.perf_counter() - _t0)
            _png.append(_first_png)
            _frames.append(len(_bench_png))
            if _status and _status[0].value:
                _errors += 1
        _c.value = _start
        _bench_settle(_box)
    _entry.update({"latencies": _lat, "whole_run": _whole, "png_seconds": _png,
                   "frames_per_change": _frames, "render_errors": _errors,
                   "live": hasattr(_box, "wait")})
    _bench_out["playgrounds"].append(_entry)
_bench_out["finish_s"] = _btm.perf_counter() - _bench_finish_t0
print("@MARK@" + _bjs.dumps(_bench_out))
""".replace("@MARK@", MARK).replace("@VALUES@", str(VALUES_PER_CONTROL))


def _execute(path: Path, timeout: int = 900) -> dict[str, Any]:
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP))
    nb.cells.append(nbformat.v4.new_code_cell(FINISH))
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    t0 = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - t0
    for output in nb.cells[-1].get("outputs", []):
        text = output.get("text", "")
        if MARK in text:
            data = json.loads(text.split(MARK, 1)[1].strip().splitlines()[0])
            # the notebook alone: without the latency measurements of the last cell
            data["notebook_seconds"] = seconds - data.pop("finish_s")
            data["slowest_cells"] = _slowest_cells(nb.cells[1:-1])
            return data
    raise RuntimeError(f"{path.name}: the benchmark cell printed nothing")


def _slowest_cells(cells: list, k: int = 3) -> list[dict[str, Any]]:
    """The ``k`` slowest code cells (wall time nbclient recorded) with their first line."""
    from datetime import datetime

    out = []
    for i, cell in enumerate(cells):
        t = cell.get("metadata", {}).get("execution", {})
        start, end = t.get("iopub.execute_input"), t.get("shell.execute_reply")
        if cell.get("cell_type") != "code" or not start or not end:
            continue
        seconds = (
            datetime.fromisoformat(end.replace("Z", "+00:00"))
            - datetime.fromisoformat(start.replace("Z", "+00:00"))
        ).total_seconds()
        first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
        out.append({"cell": i, "seconds": seconds, "first_line": first[:80]})
    return sorted(out, key=lambda c: -c["seconds"])[:k]


def measure_notebooks(book: Path = ROOT / "book") -> list[dict[str, Any]]:
    rows = []
    for path in sorted(book.glob("*.ipynb")):
        log(f"explorers: executing {path.name}")
        try:
            data = _execute(path)
        except Exception as exc:  # a broken chapter is reported, not fatal to the rest
            rows.append({"notebook": path.name, "error": f"{type(exc).__name__}: {exc}"[:300]})
            continue
        for p in data["playgrounds"]:
            lat = p.pop("latencies")
            png = p.pop("png_seconds")
            whole = p.pop("whole_run", lat)
            frames = p.pop("frames_per_change", [])
            p["changes"] = len(lat)
            if lat:
                p["png_p50_ms"] = statistics.median(png) * 1e3
                p["p50_ms"] = statistics.median(lat) * 1e3
                p["p95_ms"] = percentile(lat, 95) * 1e3
                p["max_ms"] = max(lat) * 1e3
                p["whole_p50_ms"] = statistics.median(whole) * 1e3
                p["whole_p95_ms"] = percentile(whole, 95) * 1e3
                p["frames_p50"] = statistics.median(frames) if frames else None
        rows.append({"notebook": path.name, **data})
    return rows


def page_weights(html: Path) -> dict[str, Any]:
    """Gzipped size of every chapter page, and of the scripts and styles it references.

    ``gzip_bytes`` is the page itself (with its explorers' frames); ``assets_gzip_bytes``
    adds the local scripts and stylesheets the page links (fetched once and cached by
    the browser for the other pages; fonts and images loaded later are not counted).
    """
    pages = []
    sizes: dict[str, int] = {}  # every linked asset's gzipped size
    for page in sorted((html / "book").glob("*.html")):
        raw = page.read_bytes()
        assets = 0
        for ref in set(re.findall(rb'(?:src|href)="([^"#?]+\.(?:js|css))', raw)):
            target = (page.parent / ref.decode()).resolve()
            if target.is_file() and html.resolve() in target.parents:
                key = str(target.relative_to(html.resolve()))
                if key not in sizes:
                    sizes[key] = _gz(target.read_bytes())
                assets += sizes[key]
        pages.append(
            {
                "page": str(page.relative_to(html)),
                "bytes": len(raw),
                "gzip_bytes": _gz(raw),
                "assets_gzip_bytes": assets,
            }
        )
    pages.sort(key=lambda r: -r["gzip_bytes"])
    largest = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    return {"pages": pages, "largest_assets": [{"file": k, "gzip_bytes": v} for k, v in largest]}


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def run() -> dict[str, Any]:
    return {"notebooks": measure_notebooks(), "values_per_control": VALUES_PER_CONTROL}
