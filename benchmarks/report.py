"""Write ``benchmarks/RESULTS.md`` from the stored figures in ``benchmarks/results/*.json``.

Every number in the page comes from those files; nothing here is typed by hand
except the targets and the explanations attached to a missed target.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from timing import HERE, load

TARGETS = {
    "floor": 1.5,  # descend / hand-fused NumPy, at most
    "torch": 1.0,  # descend / PyTorch CPU, below
    "chapter_s": 20.0,
    "clean_s": 300.0,
    "cached_s": 30.0,
    "page_kb": 500.0,
    "p95_ms": 100.0,
    "tests_s": 900.0,
    "grading_s": 60.0,
}

# What is said when a target is missed: why, and what would meet it.
WHY = {
    "floor": (
        "the gap is at mini-batch 32. A step on 32 examples is about a hundred NumPy calls on "
        "tiny arrays in the floor, each about a microsecond whatever the array's size, so the "
        "Python around them decides. descend checks the data and the parameters once per "
        "call (a few comparisons and one dot product each), records the gradient's norm as "
        "a sum per gradient, and goes through its layers' kernels, the optimizer's loop and "
        "the training loop's records; that is what remains (the diagnostic table under "
        "Training speed shows the finiteness tests' share). At full batch descend's own CPU "
        "time is the floor's; what can remain there is the system's time for page faults "
        "(the memory a step frees at its end goes back to the operating system and is "
        "faulted in again at the next, where the floor's loop variables keep theirs alive). "
        "What would close more of it: the norm by BLAS dot products, as the floor does (the "
        "last digits of History.grad_norms would change), or a fused training path, at the "
        "price of the one-module-per-step structure; both are the lead's to decide."
    ),
    "torch": (
        "PyTorch's per-operation overhead is larger than NumPy's, so it loses at these sizes; "
        "it wins only on large layers (see the width 1024 point of the scaling figure), where "
        "its matrix products (MKL) beat NumPy's OpenBLAS."
    ),
    "chapter_s": (
        "a chapter's wall time in the build includes its waits for a core on this shared "
        "machine (compare it with the kernel CPU time in the chapter table, and with the "
        "load average). Its CPU time goes mostly to explorer frames (the slowest cells listed "
        "under Explorers build explorers): each frame is a matplotlib figure, built (often "
        "with `tight_layout`) and drawn by Agg, a few tenths of a second of CPU each; "
        "`fig_to_png`'s quantising and PNG encoding are a small part of that. What would "
        "meet it: fewer frames, or cheaper frames (no per-frame training), in the slowest "
        "chapters' explorers."
    ),
    "clean_s": (
        "the clean build executes every chapter in turn, so it is about the sum of the "
        "chapters' times plus Sphinx's own work; it follows the chapters."
    ),
    "cached_s": (
        "a rebuild with nothing changed should only re-read the cache; if a notebook fails "
        "to execute it is executed again on every build (a failure is not cached), and "
        "Sphinx re-reads every page when its configuration changed."
    ),
    "page_kb": (
        "the page embeds every explorer frame as a base64 PNG. What would meet it: fewer "
        "frames, a lower dpi, or fewer colours (see descend.plots.fig_to_png)."
    ),
    "p95_ms": (
        "the first frame of a new setting is a fresh network's predictions on the grid plus "
        "one `LiveFigure` frame (the shading, points, curves and titles redrawn over a saved "
        "background, then a fast PNG). On this shared machine a frame's drawing can double "
        "under load; compare the PNG column and the load average. What would meet it: a "
        "smaller figure or dpi, or a coarser probability grid."
    ),
    "tests_s": (
        "the suite executes every notebook (nbval) and builds the website for the browser "
        "tests; both scale with the chapters' execution times."
    ),
    "grading_s": (
        "each submission is graded in its own sandboxed kernel (see bench_grading.py); on "
        "the shared machine the wall time is a multiple of what a quiet one needs (see the "
        "load averages beside each set: 10 to 23 on 2 cores for the last run, when the "
        "old and the new grader took the same time; on a quiet machine, load about 1.5, "
        "every set took 17 to 19 s), so measure again on a quiet machine."
    ),
}


def _s(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s ({x / 60:.1f} min)"


def _ms(x: float | None) -> str:
    return "n/a" if x is None else (f"{x * 1e3:.0f} ms" if x < 10 else _s(x))


def _kb(b: int | None) -> str:
    return "n/a" if b is None else f"{b / 1024:.0f} KB"


def _x(r: float | None) -> str:
    return "n/a" if r is None else f"{r:.2f}x"


def _ok(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


class Page:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.summary: list[tuple[str, str, str, bool | None, str]] = []
        self.missed: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def target(self, name: str, target: str, measured: str, met: bool | None, key: str) -> None:
        self.summary.append((name, target, measured, met, key))
        if met is False and key not in self.missed:
            self.missed.append(key)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out + [""]


def _when(data: dict[str, Any]) -> str:
    m = data.get("machine", {})
    load = m.get("load_average")
    load_text = f", load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}" if load else ""
    return (
        f"_Finished {m.get('date', '?')} at commit {data.get('commit', '?')}{load_text} "
        "(load averages over the last 1, 5 and 15 minutes)._"
    )


# ------------------------------------------------------------------ sections


def training_section(page: Page, data: dict[str, Any] | None) -> None:
    page.add("## Training speed", "")
    if data is None:
        page.add("Not measured yet: `python benchmarks/run.py --only training`.", "")
        page.target("descend vs hand-fused NumPy", "<= 1.5x", "not measured", None, "floor")
        return
    w = data["workload"]
    page.add(
        _when(data),
        "",
        f"Network {w['sizes']} ({w['activation']}, {w['loss']}), {w['optimizer']}, "
        f"{w['data']}. Each figure is a median of repeated runs (the count is "
        "under each heading), the implementations taking turns after one warm-up each, "
        "so that a slow spell of the shared machine hits all of them. All three start "
        "from the same weights, see the same batches in the same order, and do the same "
        "work per step (forward, loss, backward, the gradient's norm, an Adam step) and "
        "per epoch (the loss on all the data); the final losses below show that they "
        "computed the same thing.",
        "",
    )
    has_torch = any("torch" in r for r in data["configs"])
    if not has_torch:
        page.add("PyTorch is not installed here: the comparison with it was skipped.", "")
    worst_floor, worst_torch = None, None
    for mode in dict.fromkeys(r["threads_mode"] for r in data["configs"]):
        rows = [r for r in data["configs"] if r["threads_mode"] == mode]
        th = rows[0]["threads"]
        single = mode == "1 thread each"
        key = "cpu_median_s" if single else "median_s"
        page.add(
            f"### {mode[0].upper()}{mode[1:]}: NumPy's BLAS {th.get('numpy_blas')} "
            f"thread(s), "
            + (f"PyTorch {th['torch']} thread(s)" if th.get("torch") else "no PyTorch"),
            "",
            f"Median of {rows[0]['repeats']} runs each; "
            + (
                "CPU time of the process (with one thread per side it is the work done, "
                "without the waits for a core that the shared machine adds), and the same "
                "ratios by wall time for comparison. The targets are judged on this table."
                if single
                else "wall time (CPU time would add up the threads)."
            ),
            "",
        )
        header = ["dtype", "batches", "steps", "descend", "NumPy floor"]
        header += ["PyTorch"] if has_torch else []
        header += ["descend / floor"] + (["descend / PyTorch"] if has_torch else [])
        if single:
            header += ["wall: descend / floor"] + (["wall: descend / PyTorch"] if has_torch else [])
        table = []
        for r in rows:
            d, f = r["descend"][key], r["numpy floor"][key]
            line = [r["dtype"], r["batch"], r["steps"], _ms(d), _ms(f)]
            line += [_ms(r["torch"][key])] if has_torch else []
            line += [_x(d / f)]
            if has_torch:
                line += [_x(d / r["torch"][key])]
            if single:
                worst_floor = max(worst_floor or 0, d / f)
                line += [_x(r["descend"]["median_s"] / r["numpy floor"]["median_s"])]
                if has_torch:
                    worst_torch = max(worst_torch or 0, d / r["torch"][key])
                    line += [_x(r["descend"]["median_s"] / r["torch"]["median_s"])]
            table.append(line)
        page.add(*_table(header, table))
    # agreement of the final losses
    page.add("Final training loss of each implementation (same arithmetic, same result):", "")
    rows = []
    for r in data["configs"]:
        if r["threads_mode"] != "1 thread each":
            continue
        line = [r["dtype"], r["batch"]]
        line += [f"{r[k]['final_loss']:.12g}" for k in ("descend", "numpy floor")]
        line += [f"{r['torch']['final_loss']:.12g}"] if has_torch else []
        rows.append(line)
    page.add(
        *_table(["dtype", "batches", "descend", "NumPy floor"] + (["PyTorch"] * has_torch), rows)
    )
    if data.get("checks"):
        page.add(
            "Diagnostic: descend's CPU time over the floor's at mini-batch 32, as is and with "
            "its finiteness tests (`descend.errors.check_finite` and `all_finite`) switched off:",
            "",
            *_table(
                ["dtype", "batches", "descend / floor", "without finiteness tests / floor"],
                [
                    [
                        c["dtype"],
                        c["batch"],
                        _x(c["descend"]),
                        _x(c["descend without finiteness checks"]),
                    ]
                    for c in data["checks"]
                ],
            ),
        )
    s = data["scaling"]
    page.add(
        "### How time grows with data size and width",
        "",
        f"![Time per epoch against data size and hidden width]({data['figure']})",
        "",
        f"Mini-batch {s['batch']}, {s['dtype']}, one thread each; CPU milliseconds per epoch "
        "(median of 3 or more runs).",
        "",
    )
    names = [k for k in ("descend", "numpy floor", "torch") if k in s["data"][0]]
    for key, label in (("data", "n"), ("width", "width")):
        table = []
        for r in s[key]:
            table.append(
                [r["n"] if key == "data" else r["width"]]
                + [f"{r[k] * 1e3:.1f}" for k in names]
                + [_x(r["descend"] / r["numpy floor"])]
            )
        page.add(*_table([label, *names, "descend / floor"], table))
    page.target(
        "Training: descend vs hand-fused NumPy (worst of 4 configurations, 1 thread)",
        f"<= {TARGETS['floor']}x",
        _x(worst_floor),
        worst_floor is not None and worst_floor <= TARGETS["floor"],
        "floor",
    )
    page.target(
        "Training: descend vs PyTorch CPU (worst of 4 configurations, 1 thread)",
        "< 1x (faster)",
        _x(worst_torch) if has_torch else "PyTorch not installed",
        (worst_torch < TARGETS["torch"]) if worst_torch is not None else None,
        "torch",
    )


def speedup_section(page: Page, data: dict[str, Any] | None) -> None:
    if data is None:
        return
    page.add(
        "## What was changed to speed up training",
        "",
        _when(data),
        "",
        "Profiling the mini-batch run (cProfile and pyinstrument) showed the time going to "
        "input checks, not arithmetic: `np.issubdtype` (about 3 us a call, several calls "
        "per array), `np.all(np.isfinite(...))` (NumPy's dispatch wrapper costs more than the "
        "test on a small array) and temporaries on full batches. Changes, each keeping the "
        "same numbers and the same error messages (the library's tests pass unchanged):",
        "",
        "* `errors.as_float_array`: float arrays skip the `np.issubdtype` checks, and "
        "converted integer or boolean arrays (always finite) the finiteness test; "
        "`check_finite` reduces with `np.logical_and.reduce` instead of `np.all`.",
        "* `optim.Optimizer.step`: `dtype.kind` instead of `np.issubdtype`; `ndarray.all`.",
        "* `errors.check_same_keys_and_shapes`: compares key views and `.shape` directly.",
        "* `layers.dense_forward`: `Z = X @ W; Z += b` (one temporary fewer).",
        "* `activations.tanh_backward`: `dA * (1 - A**2)` computed in one buffer.",
        "* `losses.binary_cross_entropy`: `exp(-|z|)` computed once for the loss and for "
        "sigma(z); the label check uses `min`/`max` instead of three temporaries.",
        "* `train`: after each update the parameters' finiteness is settled by one sum per "
        "parameter (a sum is finite only if every term is), the culprit searched only when "
        "it is not; `_norm` without `np.sum`'s wrapper. `network`: `ndarray.all` for the "
        "logits' check.",
        "",
        "A second round (session 2) profiled again: about 22 `as_float_array` calls per "
        "step re-validated arrays the network had just produced itself, and "
        "`Optimizer.step` spent about 84 us per step testing gradients that the training "
        "loop's gradient norm had already shown finite. Changes, again with the same "
        "numbers bit for bit (about 9,000 arrays compared, old code against new) and every "
        "error still raised:",
        "",
        "* `layers`, `activations`, `losses`: each public function checks its input, then "
        "calls a private kernel (`_dense_forward`, `_tanh_backward`, "
        "`_binary_cross_entropy`, ...) holding the unchanged arithmetic.",
        "* `network.Network`: `forward`, `loss` and `loss_and_grads` check the data and "
        "every parameter once per call (`errors.all_finite`: one dot product per array), "
        "then run the kernels; a parameter a "
        "learner replaced or broke takes the slow path, whose error names it.",
        "* `train`: descend's own optimizers (with `step` not overridden) update through "
        "`Optimizer._apply`, which skips only the NaN test, once the gradients' norm is "
        "finite; a NaN or infinite norm goes through `step`, which raises "
        "`DivergenceError` as before.",
        "* `optim.Adam` and `_lerp`: the last lines computed in place, in torch's order.",
        "",
        f"Before (commit {data['before_ref']}, ahead of both rounds) and after, measured in turns "
        f"({data['rounds']} rounds of {data['runs_per_round']} runs each, one thread), with "
        "the NumPy floor timed alongside in the same processes:",
        "",
    )
    rows = []
    for r in data["rows"]:
        b, a = r["before"], r["after"]
        rows.append(
            [
                r["config"],
                _ms(b["descend_s"]),
                _ms(a["descend_s"]),
                _x(r["speedup"]),
                _x(b["ratio"]),
                _x(a["ratio"]),
            ]
        )
    page.add(
        *_table(
            [
                "configuration",
                "descend before",
                "descend after",
                "speed-up",
                "before / floor",
                "after / floor",
            ],
            rows,
        )
    )


def book_section(page: Page, data: dict[str, Any] | None, explorers: dict[str, Any] | None) -> None:
    page.add("## Book", "")
    if data is None:
        page.add("Not measured yet: `python benchmarks/run.py --only book`.", "")
        for name, key in (
            ("Book: slowest chapter", "chapter_s"),
            ("Book: clean build", "clean_s"),
            ("Book: cached rebuild", "cached_s"),
        ):
            page.target(name, "", "not measured", None, key)
        return
    clean, cached = data["clean"], data["cached"]
    ok_build = all(r["succeeded"] for r in clean["runs"] + cached["runs"])
    page.add(
        _when(data),
        "",
        f"`{data['command']}` in a fresh copy of the working tree (so `_build` starts empty "
        "and nobody's `_build` is touched).",
        "",
        *_table(
            ["build", "runs", "median", "all runs", "succeeded"],
            [
                [
                    "clean (`_build` removed)",
                    len(clean["runs"]),
                    _s(clean["median_s"]),
                    ", ".join(_s(r["seconds"]) for r in clean["runs"]),
                    "yes" if all(r["succeeded"] for r in clean["runs"]) else "**no**",
                ],
                [
                    "cached rebuild (nothing changed)",
                    len(cached["runs"]),
                    _s(cached["median_s"]),
                    ", ".join(_s(r["seconds"]) for r in cached["runs"]),
                    "yes" if all(r["succeeded"] for r in cached["runs"]) else "**no**",
                ],
            ],
        ),
    )
    if not ok_build:
        problems = [p for r in clean["runs"] + cached["runs"] for p in r["problems"]][:5]
        page.add("The build reported problems (first lines):", "", "```", *problems, "```", "")
    nbs = [n for n in data["notebooks"] if n["seconds"] is not None]
    present = data.get("chapters_present", [])
    in_toc = data.get("chapters_in_toc", [])
    # the explorers part executed every chapter too, and measured the kernel's CPU time
    other = {}
    if explorers is not None:
        for nb in explorers["notebooks"]:
            if "error" not in nb:
                other[f"book/{nb['notebook']}"] = nb
    page.add(
        f"Chapter notebooks in `book/`: {len(present)}; in the table of contents (built): "
        f"{len(in_toc)}. For each: its execution time during the clean build as jupyter-cache "
        "recorded it (wall time), and from the explorers part's separate run its wall time "
        "under nbclient and the CPU time of its kernel (the work itself, which the other "
        "jobs on the shared machine do not inflate as much).",
        "",
    )
    rows = []
    for name in sorted(set(present) | {n["notebook"] for n in nbs}):
        built = next((n["seconds"] for n in nbs if n["notebook"] == name), None)
        o = other.get(name, {})
        rows.append(
            [
                f"`{name}`",
                _s(built) if built is not None else "not built",
                _s(o.get("notebook_seconds")),
                _s(o.get("kernel_cpu_s")),
            ]
        )
    page.add(*_table(["notebook", "in the build", "nbclient wall", "kernel CPU"], rows))
    slowest = max(nbs, key=lambda n: n["seconds"]) if nbs else None
    cpu = [(n, o["kernel_cpu_s"]) for n, o in other.items() if o.get("kernel_cpu_s")]
    slowest_cpu = max(cpu, key=lambda t: t[1]) if cpu else None
    if slowest:
        page.add(
            f"Slowest chapter in the build: `{slowest['notebook']}`, {_s(slowest['seconds'])}"
            + (
                f"; by kernel CPU time: `{slowest_cpu[0]}`, {_s(slowest_cpu[1])}."
                if slowest_cpu
                else "."
            ),
            "",
        )
    page.target(
        "Book: every chapter executes in (wall time in the build, on this shared machine)",
        f"< {TARGETS['chapter_s']:.0f} s",
        f"slowest {_s(slowest['seconds'])} ({Path(slowest['notebook']).name})" if slowest else "",
        slowest["seconds"] < TARGETS["chapter_s"] if slowest else None,
        "chapter_s",
    )
    page.target(
        "Book: every chapter executes in (kernel CPU time)",
        f"< {TARGETS['chapter_s']:.0f} s",
        f"slowest {_s(slowest_cpu[1])} ({Path(slowest_cpu[0]).name})" if slowest_cpu else "",
        slowest_cpu[1] < TARGETS["chapter_s"] if slowest_cpu else None,
        "chapter_s",
    )
    page.target(
        "Book: clean build",
        f"< {TARGETS['clean_s'] / 60:.0f} min",
        _s(clean["median_s"]),
        clean["median_s"] < TARGETS["clean_s"] and ok_build,
        "clean_s",
    )
    page.target(
        "Book: cached rebuild",
        f"< {TARGETS['cached_s']:.0f} s",
        _s(cached["median_s"]),
        cached["median_s"] < TARGETS["cached_s"] and ok_build,
        "cached_s",
    )
    weights = data.get("weights")
    if weights:
        page.add(
            "### Page weight",
            "",
            "Each chapter page of the built site, gzipped (level 6). The page embeds its "
            "explorers' frames; the scripts and styles it links are counted apart (fetched "
            "once, then cached for every other page).",
            "",
        )
        rows = [
            [p["page"], _kb(p["bytes"]), _kb(p["gzip_bytes"]), _kb(p["assets_gzip_bytes"])]
            for p in weights["pages"]
        ]
        page.add(*_table(["page", "HTML", "HTML gzipped", "linked JS+CSS gzipped"], rows))
        if weights.get("largest_assets"):
            page.add(
                "The largest linked files (gzipped), fetched on a reader's first page and "
                "cached after it: "
                + ", ".join(
                    f"`{a['file']}` {_kb(a['gzip_bytes'])}" for a in weights["largest_assets"]
                )
                + ".",
                "",
            )
        heaviest = weights["pages"][0] if weights["pages"] else None
        page.target(
            "Explorers: gzipped page weight",
            f"<= {TARGETS['page_kb']:.0f} KB",
            f"heaviest {_kb(heaviest['gzip_bytes'])} ({Path(heaviest['page']).name})"
            if heaviest
            else "",
            heaviest["gzip_bytes"] / 1024 <= TARGETS["page_kb"] if heaviest else None,
            "page_kb",
        )


def explorers_section(page: Page, data: dict[str, Any] | None) -> None:
    page.add("## Explorers and playgrounds", "")
    if data is None:
        page.add("Not measured yet: `python benchmarks/run.py --only explorers`.", "")
        page.target("Playgrounds: callback latency p95", "", "not measured", None, "p95_ms")
        return
    page.add(
        _when(data),
        "",
        "Every notebook in `book/` executed with nbclient, with `ds.widgets.explorer`, "
        "`explorer2d` and `playground` wrapped to time each call (the precompute: every "
        "frame rendered and quantised). Frame bytes are the HTML of the frames as embedded "
        "in the page (base64 PNGs), raw and gzipped.",
        "",
    )
    rows, errors = [], []
    for nb in data["notebooks"]:
        if "error" in nb:
            errors.append(f"* `{nb['notebook']}`: {nb['error']}")
            continue
        for e in nb["explorers"]:
            rows.append(
                [
                    nb["notebook"],
                    e["title"] or "",
                    e["kind"],
                    e["frames"],
                    _s(e["seconds"]),
                    _kb(e["html_bytes"]),
                    _kb(e["gzip_bytes"]),
                ]
            )
    page.add(
        *_table(["notebook", "explorer", "kind", "frames", "precompute", "frames", "gzipped"], rows)
    )
    ran = [nb for nb in data["notebooks"] if "error" not in nb]
    nb_rows = [
        [nb["notebook"], _s(nb["notebook_seconds"]), _s(nb.get("kernel_cpu_s"))] for nb in ran
    ]
    page.add("Whole-notebook execution under nbclient (with the timing wrappers):", "")
    page.add(*_table(["notebook", "wall", "kernel CPU"], nb_rows))
    cells = [
        [nb["notebook"], c["cell"], _s(c["seconds"]), f"`{c['first_line']}`"]
        for nb in ran
        for c in nb.get("slowest_cells", [])
    ]
    if cells:
        page.add("The three slowest cells of each notebook (wall time, cell index from 0):", "")
        page.add(*_table(["notebook", "cell", "wall", "first line"], cells))
    if errors:
        page.add("Notebooks that failed to execute:", "", *errors, "")
    pgs = [
        (nb["notebook"], p)
        for nb in data["notebooks"]
        if "error" not in nb
        for p in nb["playgrounds"]
    ]
    page.add(
        "### Playground callback latency",
        "",
        f"Each control of each playground set to {data.get('values_per_control')} values "
        "spread over its range, in turn (the others at their defaults), exactly as a slider "
        "release does (`control.value = v` runs the callback the playground registered). "
        "The latency is the time until the first picture of the new setting is in the "
        "output widget. A live playground (a generator render, see `descend.widgets."
        "playground`) then keeps training in a background thread and sends a frame every "
        "few epochs; its whole run, until the last frame, is given apart, with the frames "
        "it sent. PNG is the part of the first frame's latency spent rasterising and "
        "encoding it (`LiveFigure.png` or `fig_to_png`); the rest is the chapter's render "
        "function (building the network, its first predictions, updating the artists).",
        "",
    )
    worst = None
    if pgs:
        rows = []
        for nbname, p in pgs:
            n = p.get("changes")

            def ms(key: str, p: dict = p, n: Any = n) -> str:
                return _ms((p.get(key) or 0) / 1e3) if n else "n/a"

            rows.append(
                [
                    nbname,
                    p["title"] or "",
                    n or 0,
                    ms("p50_ms"),
                    ms("p95_ms"),
                    ms("max_ms"),
                    ms("whole_p50_ms") if p.get("live") else "same",
                    ms("whole_p95_ms") if p.get("live") else "same",
                    p.get("frames_p50") if n and p.get("frames_p50") is not None else "n/a",
                    p.get("render_errors", 0),
                    ms("png_p50_ms"),
                ]
            )
            if n:
                worst = max(worst or 0, p["p95_ms"])
        page.add(
            *_table(
                [
                    "notebook",
                    "playground",
                    "changes",
                    "first frame p50",
                    "p95",
                    "max",
                    "whole run p50",
                    "whole run p95",
                    "frames per run",
                    "errors",
                    "PNG p50",
                ],
                rows,
            )
        )
    else:
        page.add("No playground in the chapters present.", "")
    page.target(
        "Playgrounds: callback latency p95 (worst playground)",
        f"< {TARGETS['p95_ms']:.0f} ms",
        f"{worst:.0f} ms" if worst is not None else "no playground",
        worst < TARGETS["p95_ms"] if worst is not None else None,
        "p95_ms",
    )


def tests_section(page: Page, data: dict[str, Any] | None) -> None:
    page.add("## Test suite", "")
    if data is None:
        page.add("Not measured yet: `python benchmarks/run.py --only tests`.", "")
        page.target("Test suite: total time", "", "not measured", None, "tests_s")
        return
    page.add(
        _when(data),
        "",
        f"`{data['command']}` in the repository, once (the README's `pytest`, asking for "
        "the 30 slowest tests). "
        f"pytest's summary: {data['summary'] or 'none (see the tail below)'}; "
        f"wall time {_s(data['wall_s'])}, exit code {data['exit_code']}.",
        "",
    )
    failures = data.get("failures") or [
        ln for ln in data.get("tail", []) if ln.startswith(("FAILED", "ERROR"))
    ]
    if data["exit_code"] != 0:
        page.add(
            f"The suite did not pass ({len(failures)} failure lines recorded); the first:",
            "",
            "```",
            *[re.sub(r"\x1b\[[0-9;]*m", "", ln) for ln in failures[:12]],
            "```",
            "",
        )
    page.add(
        *_table(
            ["seconds", "phase", "test"],
            [[f"{s['seconds']:.2f}", s["when"], f"`{s['test']}`"] for s in data["slowest"][:15]],
        )
    )
    page.target(
        "Test suite: total time",
        f"< {TARGETS['tests_s'] / 60:.0f} min",
        _s(data["wall_s"]),
        data["wall_s"] < TARGETS["tests_s"],
        "tests_s",
    )


def _per_minute(r: dict[str, Any]) -> str:
    return f"{60 * r['submissions'] / r['seconds']:.1f}" if r.get("seconds") else "n/a"


def grading_section(
    page: Page, data: dict[str, Any] | None, before: dict[str, Any] | None = None
) -> None:
    page.add("## Grading (the exercises' benchmark)", "")
    if data is None:
        page.add("Not measured yet: `python benchmarks/run.py --only grading`.", "")
        page.target("Grading: one set of 20 submissions", "", "not measured", None, "grading_s")
        return
    page.add(
        f"_Measured {data.get('date', '?')} by `benchmarks/bench_grading.py` (written with "
        "the exercises; run by `run.py --only grading`)._ A class of submissions per set "
        "(complete, untouched and partly answered notebooks) graded with "
        "`python -m exercises grade`; the scores are checked against what each deserves.",
        "",
    )
    rows = [
        [
            r["set"],
            r["submissions"],
            r.get("workers", ""),
            _s(r["seconds"]),
            _per_minute(r),
            _s(r.get("cpu_seconds")) if r.get("cpu_seconds") is not None else "n/a",
            "yes" if r["scores_as_deserved"] else "**no**",
            f"{r.get('load_average_before', '?')} / {r.get('load_average_after', '?')}",
        ]
        for r in data["results"]
    ]
    page.add(
        *_table(
            [
                "set",
                "submissions",
                "workers",
                "wall",
                "per minute",
                "CPU",
                "scores right",
                "load before/after",
            ],
            rows,
        )
    )
    if data.get("note"):
        page.add(data["note"], "")
    if before:
        old = {r["set"]: r for r in before["results"]}
        pairs = [(old[r["set"]], r) for r in data["results"] if r["set"] in old]
        page.add(
            f"**Before and after {before.get('change', 'the change')}** (honest submissions "
            f"graded per minute; {before.get('how', '')}):",
            "",
            *_table(
                ["set", "wall before", "wall after", "per minute before", "per minute after"],
                [
                    [a["set"], _s(b["seconds"]), _s(a["seconds"]), _per_minute(b), _per_minute(a)]
                    for b, a in pairs
                ],
            ),
        )
        if pairs:
            total_b = (
                sum(b["submissions"] for b, _ in pairs) * 60 / sum(b["seconds"] for b, _ in pairs)
            )
            total_a = (
                sum(a["submissions"] for _, a in pairs) * 60 / sum(a["seconds"] for _, a in pairs)
            )
            page.add(
                f"Over all sets: {total_b:.1f} submissions per minute before, {total_a:.1f} "
                f"after ({total_a / total_b:.2f}x).",
                "",
            )
    slowest = max(data["results"], key=lambda r: r["seconds"]) if data["results"] else None
    page.target(
        "Grading: one set of submissions (slowest set)",
        f"< {TARGETS['grading_s']:.0f} s",
        f"{_s(slowest['seconds'])} ({slowest['set']})" if slowest else "",
        slowest["seconds"] < TARGETS["grading_s"] if slowest else None,
        "grading_s",
    )


# ------------------------------------------------------------------ the page


def write() -> Path:
    training, speedup = load("training"), load("speedup")
    book, explorers, tests = load("book"), load("explorers"), load("tests")
    page = Page()
    training_section(page, training)
    speedup_section(page, speedup)
    book_section(page, book, explorers)
    explorers_section(page, explorers)
    grading_section(page, load("grading"), load("grading-before"))
    tests_section(page, tests)

    machines = [d["machine"] for d in (training, speedup, book, explorers, tests) if d]
    head = [
        "# Benchmarks",
        "",
        "Written by `python benchmarks/run.py` from the figures in `benchmarks/results/`; "
        "do not edit by hand. Run everything with `python benchmarks/run.py` "
        "(`--only training,speedup,book,explorers,grading,tests` for a part, `--quick` for a smoke "
        "run, `--report` to rewrite this page only).",
        "",
    ]
    if machines:
        m = machines[-1]
        head += [
            "**Machine.** "
            f"{m.get('cpu')}, {m.get('cores')} cores, {m.get('memory_gib')} GiB; "
            f"{m.get('platform')}; Python {m.get('python')}, NumPy {m.get('numpy')} "
            f"({m.get('blas')}), PyTorch {m.get('torch') or 'not installed'}.",
            "",
            "**Dates.** "
            + "; ".join(
                f"{name} {d['machine']['date']}"
                for name, d in (
                    ("training", training),
                    ("speed-ups", speedup),
                    ("book", book),
                    ("explorers", explorers),
                    ("tests", tests),
                )
                if d
            )
            + ".",
            "",
            "**Noise.** The machine is shared with other jobs (the load average at each "
            "measurement is given under each heading; above 2 means the 2 cores were "
            "oversubscribed). Figures are medians of repeated runs, and the training "
            "comparisons take turns so a slow spell hits every implementation alike, but "
            "absolute times can still vary by a factor of 2 or more between runs; the "
            "ratios are steadier.",
            "",
        ]
    summary = ["## Targets", ""]
    summary += _table(
        ["what", "target", "measured", "status"],
        [[name, target, measured, _ok(met)] for name, target, measured, met, _ in page.summary],
    )
    if page.missed:
        summary += ["Why a target is missed, and what would meet it:", ""]
        label = {}
        for name, _, _, met, key in page.summary:
            if met is False:
                label.setdefault(key, name)
        summary += [f"* **{label[key]}**: {WHY[key]}" for key in page.missed]
        summary += [""]
    text = "\n".join(head + summary + page.lines).rstrip() + "\n"
    path = HERE / "RESULTS.md"
    path.write_text(text)
    return path
