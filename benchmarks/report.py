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
    "chapter_s": 20.0,
    "clean_s": 300.0,
    "cached_s": 30.0,
    "page_kb": 500.0,
    "first_kb": 1200.0,  # a reader's first page, transferred (KB = 1000 bytes)
    "later_kb": 400.0,  # each later page
    "p95_ms": 100.0,
    "tests_s": 900.0,
    "grading_s": 60.0,
    "engine_ratio": 1.0,  # engine / descend time per epoch at batch sizes 1 and 10, at most
    "engine_epochs_s": 100.0,  # playground epochs per second, at least
    "engine_fps": 30.0,  # while the boundary redraws, frames per second, at least
    # live explorers, p95 input to redrawn frame: live_latency.GOALS_MS (stored with the run)
}

# What is said when a target is missed: why, and what would meet it.
WHY = {
    "first_kb": (
        "every chapter with an explorer still shows precomputed PNG frames through the "
        "ipywidgets manager, whose embed-amd.js alone is 916 KB gzipped (with require.js "
        "940 KB) on a reader's first such page; with the manager and the frames taken out "
        "every page is under the limit (tests/website/test_weight.py checks it). What would "
        "meet it: the live explorers of issue 15 mounted by the site's own small script, "
        "with no ipywidgets manager on the website."
    ),
    "later_kb": (
        "the chapters with the most precomputed explorer frames carry them in their HTML "
        "(up to 360 KB gzipped of frames), and chapter 1 after the Welcome page fetches the "
        "widget manager; without the frames and the manager every later page is under the "
        "limit. What would meet it: the live explorers of issue 15 instead of the frames."
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
    "engine_ratio": (
        "the engine computes in plain loops; on a machine this loaded, timings of the two "
        "sides drift apart by more than the ratio. Re-run on a quiet machine."
    ),
    "engine_epochs_s": (
        "each frame trains for at most 10 ms; on an oversubscribed machine (load average "
        "above 2) the browser gets a fraction of a core. Re-run on a quiet machine; if still "
        "short, raise FRAME_BUDGET_MS in playground.js or draw the boundary every other frame."
    ),
    "live_ms": (
        "two causes, told apart by the table's columns. The wall times include waits for a "
        "core on the shared machine (see the load average under the section's heading and "
        "compare the fastest input and the method's floor). But the CPU-per-input column, "
        "which those waits do not inflate, shows that for most surface and 1-D controls the "
        "work itself takes more than a 16 ms frame: every input recomputes and redraws the "
        "whole explorer (the race reruns every optimizer for all its steps and redraws the "
        "map, the paths and the curves; the gradient explorer strokes its contour lines "
        "again, where race.js and bowl.js draw theirs once into a cached image), and most of "
        "it is spent after the handlers, in the frame, where the canvases' drawing is "
        "rasterised. What would meet it: profile the slowest control (Chromium's performance "
        "panel) and cut the per-input drawing, e.g. the gradient map's fixed contours cached "
        "as race.js does, fewer points per path in the race, canvases drawn at the CSS size "
        "times the device pixel ratio rather than twice it; then re-measure on a quiet "
        "machine."
    ),
    "engine_fps": (
        "the frame rate is capped by training (10 ms) plus drawing; on an oversubscribed "
        "machine both take several times longer. Re-run on a quiet machine; if still short, "
        "lower FRAME_BUDGET_MS or the boundary's GRID in playground.js."
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
                "ratios by wall time for comparison. These are reported figures, not targets: "
                "descend is written to be read, and its speed is measured, not pursued."
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
            "its input checks switched off (`as_float_array` in every module, `check_finite` "
            "of the parameters, the optimizer's checks; see `run_descend_unchecked`):",
            "",
            *_table(
                ["dtype", "batches", "descend / floor", "without input checks / floor"],
                [
                    [
                        c["dtype"],
                        c["batch"],
                        _x(c["descend"]),
                        _x(c["descend without input checks"]),
                    ]
                    for c in data["checks"]
                ],
            ),
        )
    page.add(*_what_the_rest_costs(worst_floor, data.get("checks")))
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


def _what_the_rest_costs(worst_floor: float | None, checks: list | None) -> list[str]:
    """The paragraph that explains descend's distance from the floor."""
    text = "**What the rest costs.** "
    if worst_floor is not None:
        text += f"descend's worst configuration takes {worst_floor:.2f}x the floor's CPU time. "
    if checks:
        worst = max(checks, key=lambda c: c["descend"])
        text += (
            f"At mini-batch 32 ({worst['dtype']}) switching its input checks off takes it "
            f"from {worst['descend']:.2f}x to {worst['descend without input checks']:.2f}x: "
            "that share is the checks. "
        )
    text += (
        "A step on 32 examples is about a hundred NumPy calls on tiny arrays, each costing "
        "about a microsecond of Python whatever the array's size, so the code around the "
        "arithmetic decides. The floor is one fused function per step. descend goes through "
        "its public functions, each checking its input where a learner calls it (types, "
        "shapes, NaN and infinity, so a mistake is named where it is made), and a network "
        "re-checks what its own layers produce because it calls those same functions; it "
        "looks each activation and loss up by name on every call (so a replacement is "
        "seen everywhere), computes a layer's dX even for the first layer, runs the "
        "optimizer's loop per parameter and records every step in the History. At full "
        "batch (1000 rows) the Python costs little and the gap is memory: the plain "
        "formulas (`X @ W + b`, `tanh(Z)`, `dA * (1 - A**2)`) allocate a new array for each "
        "intermediate, where the floor, and descend's removed kernels, wrote into buffers "
        "they already had. An array of 1000 x 64 float64 numbers (512 KB) is above the size "
        "for which the C allocator maps fresh memory from the system, so each temporary "
        "also costs page faults (system time, counted in the CPU time here). Written "
        "to be read, descend accepts both prices; the table under the next heading "
        "compares the same runs with and without the removed speed layer."
    )
    return [text, ""]


def speedup_section(page: Page, data: dict[str, Any] | None) -> None:
    if data is None:
        return
    page.add(
        "## What one route per operation costs",
        "",
        _when(data),
        "",
        "Until issue 12 the library had a speed layer: a private kernel behind every public "
        "function of `layers`, `activations` and `losses`, a network that checked once and "
        "then called the kernels (with an `overwrite` flag reusing buffers), an optimizer "
        "update that skipped the NaN test when the training loop vouched for the gradients, "
        "and finiteness tests fused into dot products. It made every operation two bodies "
        "and every call two routes, so it was removed: each public function is now the "
        "computation and each check is written plainly. The numbers are the same bit for "
        "bit (the golden trajectories, the gradient checks and the chapters' claims pass "
        "unchanged).",
        "",
        f"With the speed layer (commit {data['before_ref']}) and without it (now), measured "
        f"in turns ({data['rounds']} rounds of {data['runs_per_round']} runs each, one "
        "thread), with the NumPy floor timed alongside in the same processes:",
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
                _x(1 / r["speedup"]),
                _x(b["ratio"]),
                _x(a["ratio"]),
            ]
        )
    header = ["configuration", "with the speed layer", "one route", "cost"]
    page.add(*_table([*header, "speed layer / floor", "one route / floor"], rows))


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


def weight_section(page: Page, data: dict[str, Any] | None) -> None:
    """What a browser transfers per page, before and after the light-website work."""
    page.add("## Page weight as transferred", "")
    if not data or "after" not in data:
        page.add("Not measured yet: `python benchmarks/page_weight.py --as after`.", "")
        return
    page.add(
        "Bytes a browser transfers to show each page (`benchmarks/page_weight.py`, counted by "
        "`tests/website/transfer.py`): headless Chromium with every request off 127.0.0.1 "
        "blocked; text responses (HTML, scripts, styles, JSON) counted gzipped at level 6, as a "
        "server with gzip sends them, fonts and images as they are; headers not counted. "
        "*First*: the page opened in a fresh context (empty cache). *Later*: the page opened "
        "after the previous page of the table of contents, files already fetched not counted "
        "again. KB = 1000 bytes. Limits (issue 15): first <= "
        f"{TARGETS['first_kb']:.0f} KB, later <= {TARGETS['later_kb']:.0f} KB.",
        "",
    )
    if "before" in data:
        page.add(
            f"*Before*: the site at commit {data['before']['commit']}, the last commit before "
            "issue 15's work (the issue's \"about 3 MB gzipped\" first visit; these figures "
            "were first written to this page by commit b1c1307). *After*: the site as built "
            "now; `python benchmarks/run.py --only weight` measures `_build/html` again and "
            "rewrites this page.",
            "",
        )
    for label in ("before", "after"):
        if label in data:
            page.add(f"**{label.capitalize()}.** " + _when(data[label]), "")
    before = {p["page"]: p for p in data.get("before", {}).get("pages", [])}
    ranges = []
    for key, what in (("first_bytes", "first visit"), ("later_bytes", "later visit")):
        for label in ("before", "after"):
            kb = [
                p[key] / 1000
                for p in data.get(label, {}).get("pages", [])
                if re.search(r"book/\d\d-", p["page"]) and "/exercises/" not in p["page"]
            ]
            if kb:
                ranges.append(f"{what} {label} {min(kb):.0f} to {max(kb):.0f} KB")
    if ranges:
        page.add("Chapter pages 00 to 10: " + "; ".join(ranges) + ".", "")
    rows = []
    for p in data["after"]["pages"]:
        b = before.get(p["page"], {})

        def kb(x: int | None) -> str:
            return "n/a" if x is None else f"{x / 1000:.0f}"

        rows.append(
            [
                p["page"],
                kb(b.get("first_bytes")),
                kb(p["first_bytes"]),
                kb(b.get("later_bytes")),
                kb(p["later_bytes"]),
                kb(p["html_bytes"]),
            ]
        )
    page.add(
        *_table(
            [
                "page",
                "first, before (KB)",
                "first, after (KB)",
                "later, before (KB)",
                "later, after (KB)",
                "its HTML, after (KB)",
            ],
            rows,
        )
    )
    for label in ("before", "after"):
        assets = data.get(label, {}).get("largest_assets")
        if assets:
            page.add(
                f"Largest files fetched ({label}): "
                + ", ".join(f"`{a['file']}` {a['bytes'] / 1000:.0f} KB" for a in assets[:6])
                + ".",
                "",
            )
    chapters = [p for p in data["after"]["pages"] if "/exercises/" not in p["page"]]
    worst_first = max(chapters, key=lambda p: p["first_bytes"])
    worst_later = max(chapters, key=lambda p: p["later_bytes"])
    page.target(
        "Website: a reader's first page, transferred",
        f"<= {TARGETS['first_kb']:.0f} KB",
        f"heaviest {worst_first['first_bytes'] / 1000:.0f} KB ({Path(worst_first['page']).name})",
        worst_first["first_bytes"] / 1000 <= TARGETS["first_kb"],
        "first_kb",
    )
    page.target(
        "Website: each later page, transferred",
        f"<= {TARGETS['later_kb']:.0f} KB",
        f"heaviest {worst_later['later_bytes'] / 1000:.0f} KB ({Path(worst_later['page']).name})",
        worst_later["later_bytes"] / 1000 <= TARGETS["later_kb"],
        "later_kb",
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


def engine_section(page: Page, data: dict[str, Any] | None) -> None:
    page.add("## In-browser engine and the live playground", "")
    if data is None:
        page.add("Not measured yet: `python benchmarks/run.py --only engine`.", "")
        page.target("Engine vs descend per epoch", "", "not measured", None, "engine_ratio")
        return
    w = data["workload"]
    page.add(
        _when(data),
        "",
        f"Network {w['sizes']} ({w['activation']}, {w['loss']}), {w['optimizer']}, "
        f"{w['data']}; descend with NumPy's BLAS on 1 thread, the engine (`engine.js`) in "
        f"headless Chromium {data['chromium']}, one after the other in the same run. Both "
        "start from the same weights and see the batches in the same order (the engine is "
        "handed descend's permutations), so the final losses must agree; they do, to the "
        "last digits. Time per epoch, median of the runs (wall time, each run several "
        "epochs, after a warm-up).",
        "",
    )
    rows, worst = [], None
    for r in data["rows"]:
        ratio = r["engine_epoch_ms"] / r["descend_epoch_ms"]
        if r["batch"] in (1, 10):
            worst = max(worst or 0, ratio)
        rows.append(
            [
                r["batch"],
                r["epochs"],
                f"{r['descend_epoch_ms']:.2f} ms",
                f"{r['engine_epoch_ms']:.2f} ms",
                _x(ratio),
                f"{r['descend_final_loss']:.15g}",
                f"{r['engine_final_loss']:.15g}",
            ]
        )
    page.add(
        *_table(
            [
                "batch size",
                "epochs per run",
                "descend",
                "engine",
                "engine / descend",
                "descend final loss",
                "engine final loss",
            ],
            rows,
        )
    )
    pg = data["playground"]
    page.add(
        f"The chapter-9 playground ({pg['settings']}), mounted by the website's loader and "
        f"playing for {pg['seconds']:.1f} s: {pg['frames']} animation frames "
        f"({pg['fps']:.1f} per second; frame interval p50 {pg['frame_ms_p50']:.1f} ms, p95 "
        f"{pg['frame_ms_p95']:.1f} ms), each redrawing the boundary (a 48 x 48 grid of "
        f"predictions), the points and both loss curves, and {pg['epochs']} epochs "
        f"({pg['epochs_per_s']:.0f} per second). Each frame trains for at most 10 ms, then "
        f'draws. Status at the end: "{pg["status"]}".',
        "",
    )
    page.target(
        "Engine: time per epoch against descend at batch sizes 1 and 10 (worst)",
        f"<= {TARGETS['engine_ratio']:.0f}x",
        _x(worst),
        worst is not None and worst <= TARGETS["engine_ratio"],
        "engine_ratio",
    )
    page.target(
        "Live playground: epochs per second while training",
        f">= {TARGETS['engine_epochs_s']:.0f}",
        f"{pg['epochs_per_s']:.0f}",
        pg["epochs_per_s"] >= TARGETS["engine_epochs_s"],
        "engine_epochs_s",
    )
    page.target(
        "Live playground: frames per second while training",
        f">= {TARGETS['engine_fps']:.0f}",
        f"{pg['fps']:.1f}",
        pg["fps"] >= TARGETS["engine_fps"],
        "engine_fps",
    )


def _cpu(c: dict[str, Any]) -> str:
    return "n/a" if c.get("cpu_per_input_ms") is None else f"{c['cpu_per_input_ms']:.1f}"


def _controls(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for p in data["pages"] for e in p["explorers"] for c in e["controls"]]


def _range(values: list[float | None]) -> str:
    xs = [x for x in values if x is not None]
    return f"{min(xs):.1f} to {max(xs):.1f}" if xs else "n/a"


def live_section(page: Page, data: dict[str, Any] | None) -> None:
    """Every live explorer's input-to-frame latency (``live_latency.py``)."""
    page.add("## Live explorers: from an input to the redrawn frame", "")
    if data is None:
        page.add("Not measured yet: `python benchmarks/run.py --only live`.", "")
        page.target("Live explorers: p95 input to frame", "", "not measured", None, "live_ms")
        return
    goals = data["goals_ms"]
    floor = data.get("floor")
    page.add(
        _when(data),
        "",
        "Every live explorer (`div.descend-live` mounted by `live/site.js`) on every page of "
        f"the built site, in headless Chromium {data['chromium']} ({data['viewport']}), "
        "found by its `data-kind`; `benchmarks/live_latency.py` says exactly how. Each "
        f'control receives {data["inputs"]} inputs: a slider (`<input type="range">`) '
        "is set to another of its positions and an `input` event dispatched, sweeping its "
        "range up and back; a pickable plot (`canvas.dl-pick`) is clicked (pointerdown, "
        "mousedown, pointerup, mouseup, click) at positions spread over it. After each "
        "control the sliders go back to their values as loaded. **Latency**: from just "
        "before the input to the end of the main thread's work on the first frame that "
        "shows it (the event handlers, any `requestAnimationFrame` callback they requested, "
        "then style, layout and paint), timed in the page with `performance.now()`, "
        "without the time the page sat idle waiting for that frame to begin (up to one "
        "display frame, 16.7 ms at 60 Hz, whatever the input costs; a drag's inputs, "
        "which Chromium dispatches at the start of a frame, do not wait). *With the wait* "
        "counts that idle time too. *Fastest*: the quickest of the control's inputs (the "
        "least disturbed by other jobs). *CPU per input*: the CPU time of the renderer's main "
        "thread over the control's inputs, divided by their number (the mean work per input, "
        "which the waits for a core do not inflate; "
        + (
            "the change check below is run again alone and its CPU time subtracted). "
            if any("check_cpu_per_input_ms" in c for c in _controls(data))
            else "it includes the change check below, whose median wall time per input was "
            + _range([c.get("check_median_ms") for c in _controls(data)])
            + " ms, most for the explorers with the most canvases). "
        )
        + "*Handlers*: the event handlers' own share. "
        "*Changed*: "
        "inputs after which the explorer's text or canvas pixels differ once the frame is "
        "drawn (an input that changed nothing would be fast for nothing). *Own rAF*: "
        "inputs after which the explorer requested an animation frame of its own (drawn "
        "inside the frame measured). Milliseconds; median and 95th percentile.",
        "",
    )
    if floor:
        page.add(
            "**The method's floor**: an `input` event on an element with no listener, "
            f"measured the same way on the first page: median {floor['median_ms']:.1f} ms, "
            f"p95 {floor['p95_ms']:.1f} ms (with the wait: median "
            f"{floor['with_wait_median_ms']:.1f} ms, p95 {floor['with_wait_p95_ms']:.1f} ms); "
            f"CPU per input {_cpu(floor)} ms.",
            "",
        )
    classes = ", ".join(f"{k}: {v}" for k, v in sorted(data["classes"].items()))
    page.add(
        "Goals (issue 15), for the p95 of each control: "
        + "; ".join(f"<= {g:.0f} ms for {c} explorers" for c, g in goals.items())
        + f". Kinds by class (`live_latency.CLASSES`): {classes}; "
        "a kind not listed is *unclassified* (reported, no goal).",
        "",
    )
    rows, problems = [], []
    worst: dict[str, tuple[float, str] | None] = {c: None for c in goals}
    for p in data["pages"]:
        stem = Path(p["page"]).stem
        for e in p["explorers"]:
            where = f"{stem} #{e['index'] + 1} `{e['kind']}`"
            if e["mounted"] != "true":
                problems.append(f"* {where}: not mounted (`data-mounted={e['mounted']!r}`).")
                continue
            if e["class"] == "unclassified":
                problems.append(f"* {where}: kind not in `CLASSES` (unclassified, no goal).")
            if not e["controls"]:
                problems.append(f"* {where}: no slider and no `canvas.dl-pick` to drive.")
            if e.get("idle_frames"):
                problems.append(
                    f"* {where}: requested {e['idle_frames']} animation frames in half a "
                    "second while untouched (animating while measured)."
                )
            goal = goals.get(e["class"])
            for c in e["controls"]:
                met = None if goal is None else c["p95_ms"] <= goal
                rows.append(
                    [
                        stem,
                        f"`{e['kind']}` #{e['index'] + 1}",
                        e["class"],
                        c["control"],
                        c["positions"] if c["positions"] is not None else "any point",
                        f"{c['median_ms']:.1f}",
                        f"{c['p95_ms']:.1f}",
                        "none" if goal is None else f"<= {goal:.0f}",
                        _ok(met) if goal is not None else "no goal",
                        f"{c['min_ms']:.1f}" if "min_ms" in c else "n/a",
                        _cpu(c),
                        f"{c['with_wait_p95_ms']:.1f}",
                        f"{c['handlers_median_ms']:.1f}",
                        f"{c['changed']}/{c['inputs']}",
                        c["own_raf"],
                    ]
                )
                if goal is not None:
                    label = f"{stem} `{e['kind']}`, {c['control']}"
                    if worst[e["class"]] is None or c["p95_ms"] > worst[e["class"]][0]:
                        worst[e["class"]] = (c["p95_ms"], label)
        for err in p.get("errors", []):
            problems.append(f"* {Path(p['page']).stem}: console error `{err[:160]}`")
        for url in sorted(set(p.get("external", []))):
            problems.append(f"* {Path(p['page']).stem}: blocked request off 127.0.0.1 `{url}`")
    page.add(
        *_table(
            [
                "page",
                "explorer",
                "class",
                "control",
                "positions",
                "median",
                "p95",
                "goal",
                "status",
                "fastest",
                "CPU per input",
                "p95 with the wait",
                "handlers median",
                "changed",
                "own rAF",
            ],
            rows,
        )
    )
    if problems:
        page.add("Noted while measuring:", "", *problems, "")
    for cls, goal in goals.items():
        w = worst.get(cls)
        page.target(
            f"Live explorers ({cls}): p95 from input to redrawn frame, worst control",
            f"<= {goal:.0f} ms",
            f"{w[0]:.0f} ms ({w[1]})" if w else f"no {cls} explorer",
            w[0] <= goal if w else None,
            "live_ms",
        )


# ------------------------------------------------------------------ the page


def write() -> Path:
    training, speedup = load("training"), load("speedup")
    book, explorers, tests = load("book"), load("explorers"), load("tests")
    page = Page()
    training_section(page, training)
    speedup_section(page, speedup)
    book_section(page, book, explorers)
    weight_section(page, load("weight"))
    explorers_section(page, explorers)
    engine_section(page, load("engine"))
    live_section(page, load("live"))
    grading_section(page, load("grading"), load("grading-before"))
    tests_section(page, tests)

    machines = [d["machine"] for d in (training, speedup, book, explorers, tests) if d]
    head = [
        "# Benchmarks",
        "",
        "Written by `python benchmarks/run.py` from the figures in `benchmarks/results/`; "
        "do not edit by hand. Run everything with `python benchmarks/run.py` "
        "(`--only training,speedup,book,explorers,weight,engine,live,grading,tests` for a part, "
        "`--quick` for a smoke run, `--report` to rewrite this page only).",
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
                    ("live explorers", load("live")),
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
