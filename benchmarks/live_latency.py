"""Input-to-frame latency of every live explorer of the built website (issue 15).

    python benchmarks/run.py --only live            # measure _build/html, rewrite RESULTS.md
    python benchmarks/live_latency.py [--inputs N]  # the same, printing each control's figures

Serves the built site (``_build/html``; build it first) on 127.0.0.1, opens every page
holding a live explorer in headless Debian Chromium (``site_server.py``: external requests
blocked, 1280 x 900, light) and finds every mounted explorer, ``div.descend-live[data-
mounted='true']``, by its ``data-kind``. No explorer needs code of its own here: each
control is driven the same way.

* every ``<input type="range">`` inside the explorer: its value set to another of its
  positions, then an ``input`` event dispatched (what a slider's drag or a key press does);
  the positions sweep the range up and back (or, with fewer positions than inputs, to and
  fro), so each input is a change; afterwards the slider is set back to its value as
  loaded, so every control is measured from the explorer's state as the book sets it;
* every canvas with the class ``dl-pick`` (a pickable plot, by convention): a click at
  spread positions over the plot (a 2-D low-discrepancy sequence), dispatched as the
  events a mouse click makes, ``pointerdown``, ``mousedown``, ``pointerup``, ``mouseup``,
  ``click``, so the explorer's handler is measured whichever of them it listens to.

``INPUTS`` (200) inputs per control, one after another, each after a pause of 0 to 17 ms
(a fixed pseudo-random sequence) so that inputs fall at every phase of the display's frames.

**What "input to redrawn frame" means here.** Measured inside the page, with
``performance.now()``, per input:

* ``t0``: just before the value is set and the event dispatched. ``dispatchEvent`` runs
  every listener synchronously; then three microtask turns let promise callbacks the
  handlers queued run too. ``t_handled``: after that.
* ``requestAnimationFrame(cb)`` is requested *after* the handlers ran. Callbacks of a frame
  run in the order they were requested, so if a handler deferred its drawing to its own
  ``requestAnimationFrame``, that draw runs in the same frame *before* ``cb``. ``cb`` gets
  the frame's start time ``t_frame`` and posts a message on a ``MessageChannel``; the
  message is handled as the next task, that is after the frame's rendering (style, layout,
  paint) has finished on the main thread: ``t_done``.
* The frame that shows the input is the first one to begin after the handlers ran. A page
  sitting idle waits for it up to one display frame (16.7 ms at 60 Hz), however little work
  the input costs; a slider drag's or a pointer move's input is, in Chromium, dispatched at
  the start of a frame, so it does not wait. The latency reported, the one compared with
  the goals, is therefore the main thread's time from the input to the redrawn frame with
  that wait left out: ``(t_done - t0) - max(0, t_frame - t_handled)``. The whole time
  including the wait, ``t_done - t0``, is reported beside it, and the handlers' share,
  ``t_handled - t0``.
* Not included: rasterising the page's painted layers and compositing them (Chromium does
  that off the main thread; here on the CPU, ``--disable-gpu``). Included: a 2-D canvas's
  drawing, whose commands the handlers record and Chromium executes when it produces the
  frame (hence most of an input's time falls after the handlers). Not included either: a
  second ``requestAnimationFrame`` that an explorer's own frame callback requests (a draw
  spread over several frames), and work an explorer puts off with a timer or a worker.
* After each input's frame the explorer's text (status line, values shown) and a checksum
  of every canvas's pixels are compared with their values before the input (outside the
  timed span): the inputs after which something changed are counted (``changed`` in the
  report), so a control whose effect comes later, or never, cannot pass for fast.
* The method's floor: the same measurement of an ``input`` event on an element no one
  listens to, on the first page, reported once.
* Beside the wall times, which on a shared machine include waits for a core, the CPU time
  of the renderer's main thread over a control's inputs (``/proc/<pid>/task/<pid>/stat``
  of this run's Chromium renderers), divided by the number of inputs: the mean work per
  input, whatever the load. The change check above is run again alone, as many times, and
  its CPU time subtracted (stored as ``check_cpu_per_input_ms``); the measuring script's
  own bit of work stays in (compare the floor's).
* ``own rAF``: how many inputs made the explorer request an animation frame of its own.
  Before an explorer is measured, the page is watched for half a second: an explorer that
  keeps requesting frames while nobody touches it (an animation playing) is reported as
  such (the playground's Play and the race are measured paused, as they load).

Each control's latencies: the median and the 95th percentile (``timing.percentile``:
linear interpolation between order statistics), and the fastest input. All are wall
times on a machine shared with other jobs: the load average is stored with them. Goals
(issue 15): p95 <= 16 ms for surfaces and 1-D functions, <= 50 ms for network explorers;
``CLASSES`` says which each kind is, and a kind missing from it is reported as
"unclassified" (no goal), never left out. Results go to ``results/live.json``;
``report.py`` writes the RESULTS.md section.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path
from typing import Any

from site_server import HTML, launch, open_page, pages_with, serve
from timing import log, percentile, save

INPUTS = 200

# Explorer kind (data-kind, the name of its <kind>.js) -> its class, which sets its goal.
# Extend when a new kind lands; a kind not listed is reported as "unclassified".
CLASSES = {
    "lr1d": "surface/1-D",  # chapter 0: gradient descent on a 1-D function
    "gradient": "surface/1-D",  # chapter 4: a point on a 2-D surface
    "race": "surface/1-D",  # chapter 5: optimizers raced on a 2-D surface
    "bowl": "surface/1-D",  # chapter 5: the learning rate on the stretched bowl
    "playground": "network",  # chapter 9: a network trained in the browser
    "init": "network",  # chapter 1: forward and backward through up to 30 layers
    "twoweights": "network",  # chapter 2: a small network's output and boundary
    "neuron": "surface/1-D",  # chapter 2: one neuron's curve
    "backprop": "network",  # chapter 3: the tiny network's graph, node by node
    "fdstep": "surface/1-D",  # chapter 3: finite differences against the step h
    "batch": "surface/1-D",  # chapter 5: mini-batch paths on the line-fit bowl
    "basins": "surface/1-D",  # chapter 6: a descent path on a non-convex surface
    "training": "network",  # chapter 6: the running example trained live
    "linefit": "surface/1-D",  # chapter 7: a line fitted by gradient descent
    "scaling": "surface/1-D",  # chapter 7: feature scaling reshapes the bowl
    "logfit": "network",  # chapter 8: logistic regression trained live
    "frames": "surface/1-D",  # precomputed explorers: one frame shown per position
}
GOALS_MS = {"surface/1-D": 16.0, "network": 50.0}
UNCLASSIFIED = "unclassified"


def classify(kind: str) -> str:
    """The class of an explorer kind: a key of ``GOALS_MS``, or ``"unclassified"``."""
    return CLASSES.get(kind, UNCLASSIFIED)


def goal_ms(kind: str) -> float | None:
    """The p95 goal (ms) for an explorer kind; None for an unclassified kind."""
    return GOALS_MS.get(classify(kind))


def summarize(latencies_ms: list[float]) -> dict[str, float]:
    """Median, 95th percentile, fastest and slowest of a control's latencies (milliseconds)."""
    if not latencies_ms:
        raise ValueError("no latencies to summarize: the control received no input")
    return {
        "min_ms": min(latencies_ms),
        "median_ms": statistics.median(latencies_ms),
        "p95_ms": percentile(latencies_ms, 95),
        "max_ms": max(latencies_ms),
    }


def verdict(kind: str, p95_ms: float) -> bool | None:
    """Whether a control's p95 meets its kind's goal (None: no goal, unclassified)."""
    goal = goal_ms(kind)
    return None if goal is None else p95_ms <= goal


# ------------------------------------------------------------------ in the page

# Every live explorer of the page and its controls: [{kind, mounted, ranges, picks}].
INVENTORY = """() => {
  const name = (node) => (node?.textContent ?? "").replace(/\\s+/g, " ").trim();
  return [...document.querySelectorAll("div.descend-live")].map((root) => ({
    kind: root.dataset.kind ?? "",
    mounted: root.dataset.mounted ?? "",
    ranges: [...root.querySelectorAll("input[type=range]")].map((input) => {
      const group = name(input.closest("fieldset")?.querySelector("legend"));
      const aria = input.getAttribute("aria-label");
      const label = aria || (group ? `${group}: ` : "") + name(input.labels?.[0]).split(":")[0];
      const [min, max] = [Number(input.min || 0), Number(input.max || 100)];
      const step = input.step === "any" ? (max - min) / 1000 : Number(input.step || 1);
      return { label, min, max, step, positions: Math.floor((max - min) / step + 1e-9) + 1 };
    }),
    picks: [...root.querySelectorAll("canvas.dl-pick")].map((c) =>
      (c.getAttribute("aria-label") ?? "plot").split(/[,;(]/)[0].trim()),
  }));
}"""

# Watch the page for `ms` and count the animation frames its scripts request meanwhile.
WATCH = """async (ms) => {
  const R = window.__dlRaf;
  const before = R.n;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return R.n - before;
}"""

# Count the animation frames the page's scripts request (our own use `orig`, uncounted).
COUNT_RAF = """() => {
  if (window.__dlRaf) return;
  const orig = window.requestAnimationFrame.bind(window);
  const R = { n: 0, orig };
  window.requestAnimationFrame = (cb) => { R.n += 1; return orig(cb); };
  window.__dlRaf = R;
}"""

# Drive one control `inputs` times; returns each input's timings (see the docstring).
DRIVE = """async ({ index, type, j, inputs, checkOnly = false }) => {
  // type "none": an input event on an element nobody listens to (the method's floor)
  const live = document.querySelectorAll("div.descend-live");
  const root = type === "none" ? document.createElement("div") : live[index];
  const R = window.__dlRaf;
  const canvases = [...root.querySelectorAll("canvas")];
  const thumb = Object.assign(document.createElement("canvas"), { width: 96, height: 96 });
  const tctx = thumb.getContext("2d", { willReadFrequently: true });
  tctx.imageSmoothingQuality = "high";
  const checksum = (c) => { // of a 96 x 96 thumbnail: cheap beside the input measured
    tctx.clearRect(0, 0, 96, 96);
    tctx.drawImage(c, 0, 0, 96, 96);
    let h = 0;
    for (const v of tctx.getImageData(0, 0, 96, 96).data) h = (h * 31 + v) | 0;
    return h;
  };
  const look = () => root.textContent + "|" + canvases.map(checksum).join(",");
  const afterFrame = () => new Promise((resolve) => R.orig((frame) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve({ frame, done: performance.now() });
    channel.port2.postMessage(null);
  }));
  let seed = 12345; // pauses between inputs: a fixed pseudo-random sequence
  const pause = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return new Promise((resolve) => setTimeout(resolve, (seed / 2147483648) * 17));
  };
  let fire;
  let restore = () => {};
  if (type === "range") {
    const input = root.querySelectorAll("input[type=range]")[j];
    const [min, max] = [Number(input.min || 0), Number(input.max || 100)];
    const step = input.step === "any" ? (max - min) / 1000 : Number(input.step || 1);
    const last = Math.floor((max - min) / step + 1e-9); // positions 0..last
    const stride = Math.max(1, Math.floor(last / (inputs / 2)));
    const at = (k) => { // up and back down: a triangle wave over the positions
      const m = (k * stride) % (2 * last || 1);
      return m <= last ? m : 2 * last - m;
    };
    let k = Math.round((Number(input.value) - min) / step / stride);
    const initial = input.value;
    restore = () => {
      input.value = initial;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    };
    fire = () => {
      k += 1;
      let p = at(k);
      const value = (q) => String(min + q * step);
      if (value(p) === input.value) p = p < last ? p + 1 : p - 1;
      input.value = value(p);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    };
    input.scrollIntoView({ block: "center" });
    (canvases[0] ?? input).scrollIntoView({ block: "center" });
  } else if (type === "none") {
    fire = () => root.dispatchEvent(new Event("input", { bubbles: true }));
  } else {
    const canvas = root.querySelectorAll("canvas.dl-pick")[j];
    canvas.scrollIntoView({ block: "center" });
    let k = 0;
    fire = () => {
      k += 1; // the R2 sequence: spread evenly over the plot, none repeated
      const u = 0.04 + 0.92 * ((0.5 + 0.7548776662466927 * k) % 1);
      const v = 0.04 + 0.92 * ((0.5 + 0.5698402909980532 * k) % 1);
      const box = canvas.getBoundingClientRect();
      const at = {
        bubbles: true, cancelable: true, composed: true, view: window,
        clientX: box.left + u * box.width, clientY: box.top + v * box.height,
        pointerId: 1, pointerType: "mouse", isPrimary: true, button: 0,
      };
      canvas.dispatchEvent(new PointerEvent("pointerdown", { ...at, buttons: 1 }));
      canvas.dispatchEvent(new MouseEvent("mousedown", { ...at, buttons: 1 }));
      canvas.dispatchEvent(new PointerEvent("pointerup", { ...at, buttons: 0 }));
      canvas.dispatchEvent(new MouseEvent("mouseup", { ...at, buttons: 0 }));
      canvas.dispatchEvent(new MouseEvent("click", { ...at, buttons: 0 }));
    };
  }
  await afterFrame(); // start from a drawn page
  if (checkOnly) { // the change check alone, as often as the inputs: its CPU is subtracted
    for (let n = 0; n < inputs; n++) look();
    return [];
  }
  const out = [];
  let seen = look();
  for (let n = 0; n < inputs; n++) {
    await pause();
    const raf = R.n;
    const t0 = performance.now();
    fire();
    await null; await null; await null;
    const handled = performance.now();
    const ownRaf = R.n > raf;
    const { frame, done } = await afterFrame();
    const now = look();
    const check = performance.now() - done;
    out.push({ t0, handled, frame, done, ownRaf, changed: now !== seen, check });
    seen = now;
  }
  restore(); // the next control starts from the explorer's state as loaded
  await afterFrame();
  return out;
}"""


def renderer_main_threads() -> list[Path]:
    """``/proc`` stat files of the main threads of this process's Chromium renderers."""
    me, found = os.getpid(), []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or b"--type=renderer" not in (proc / "cmdline").read_bytes():
                continue
            pid = int(proc.name)
            while pid > 1 and pid != me:  # up the parents: ours, or another job's?
                pid = int(
                    (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            if pid != me:
                continue
            found.append(proc / "task" / proc.name / "stat")  # the main thread: tid = pid
        except (OSError, ValueError, IndexError):  # a process that ended meanwhile
            continue
    return found


def cpu_seconds(stats: list[Path]) -> float:
    """User plus system CPU time of the threads (``/proc/.../stat`` fields 14 and 15)."""
    ticks = 0
    for stat in stats:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def latencies(records: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Per input: the latency without the wait for the frame, with it, and the handlers'."""
    out: dict[str, list[float]] = {"latency": [], "with_wait": [], "handlers": []}
    for r in records:
        wait = max(0.0, r["frame"] - r["handled"])
        out["with_wait"].append(r["done"] - r["t0"])
        out["latency"].append(r["done"] - r["t0"] - wait)
        out["handlers"].append(r["handled"] - r["t0"])
    return out


def drive(page, index: int, type_: str, j: int, inputs: int) -> dict[str, Any]:
    """Drive one control ``inputs`` times; its figures (milliseconds)."""
    threads = renderer_main_threads()
    cpu0 = cpu_seconds(threads)
    records = page.evaluate(DRIVE, {"index": index, "type": type_, "j": j, "inputs": inputs})
    cpu1 = cpu_seconds(threads)
    page.evaluate(
        DRIVE, {"index": index, "type": type_, "j": j, "inputs": inputs, "checkOnly": True}
    )
    check_cpu = cpu_seconds(threads) - cpu1
    cpu = cpu1 - cpu0 - check_cpu
    lat = latencies(records)
    return {
        "inputs": len(records),
        **summarize(lat["latency"]),
        "cpu_per_input_ms": 1e3 * cpu / len(records) if threads else None,
        "check_median_ms": statistics.median(r["check"] for r in records),
        "check_cpu_per_input_ms": 1e3 * check_cpu / len(records) if threads else None,
        "with_wait_median_ms": statistics.median(lat["with_wait"]),
        "with_wait_p95_ms": percentile(lat["with_wait"], 95),
        "handlers_median_ms": statistics.median(lat["handlers"]),
        "own_raf": sum(r["ownRaf"] for r in records),
        "changed": sum(r["changed"] for r in records),
        "latencies_ms": [round(x, 3) for x in lat["latency"]],
    }


def measure_page(browser, base: str, path: str, inputs: int, floor: bool) -> dict[str, Any]:
    """Every live explorer of one page: each control's latencies (``floor``: and the floor's)."""
    run = open_page(browser, base, path, viewport={"width": 1280, "height": 900})
    page = run.page
    out: dict[str, Any] = {"page": path, "explorers": []}
    try:
        page.evaluate(COUNT_RAF)
        if floor:
            out["floor"] = drive(page, -1, "none", 0, inputs)
            log(
                f"{path}: the floor (an input no one listens to): p95 "
                f"{out['floor']['p95_ms']:.1f} ms"
            )
        for index, found in enumerate(page.evaluate(INVENTORY)):
            kind = found["kind"]
            entry: dict[str, Any] = {
                "index": index,
                "kind": kind,
                "class": classify(kind),
                "mounted": found["mounted"],
                "controls": [],
            }
            out["explorers"].append(entry)
            if found["mounted"] != "true":
                log(f"{path} #{index} {kind}: not mounted ({found['mounted']!r})")
                continue
            entry["idle_frames"] = page.evaluate(WATCH, 500)
            drives = [
                ("range", j, r["label"], r["positions"]) for j, r in enumerate(found["ranges"])
            ]
            drives += [
                ("pick", j, f"click on: {label}", None) for j, label in enumerate(found["picks"])
            ]
            for type_, j, label, positions in drives:
                if positions == 1:
                    log(f"{path} #{index} {kind}: slider {label!r} has one position; not driven")
                    continue
                row = {"control": label, "type": type_, "positions": positions}
                row |= drive(page, index, type_, j, inputs)
                row["meets_goal"] = verdict(kind, row["p95_ms"])
                entry["controls"].append(row)
                log(
                    f"{path} #{index} {kind:10s} {label[:34]:34s} median {row['median_ms']:6.1f} ms"
                    f"  p95 {row['p95_ms']:6.1f} ms  (with the wait {row['with_wait_p95_ms']:5.1f})"
                    f"  changed {row['changed']}/{row['inputs']}"
                    f"  CPU {row['cpu_per_input_ms'] or 0:.1f} ms"
                )
            if not entry["controls"]:
                log(f"{path} #{index} {kind}: no range input and no canvas.dl-pick to drive")
    finally:
        out["errors"], out["external"] = run.errors, run.external
        run.close()
    return out


def run(html: Path = HTML, inputs: int = INPUTS, pages: list[str] | None = None) -> dict[str, Any]:
    """Measure every live explorer of the built site; the figures for ``results/live.json``."""
    from playwright.sync_api import sync_playwright

    with serve(html) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            chromium = browser.version
            found = pages or pages_with('class="descend-live"', html)
            measured = [
                measure_page(browser, base, path, inputs, floor=i == 0)
                for i, path in enumerate(found)
            ]
        finally:
            browser.close()
    return {
        "inputs": inputs,
        "chromium": chromium,
        "viewport": "1280 x 900, light",
        "classes": CLASSES,
        "goals_ms": GOALS_MS,
        "floor": measured[0].pop("floor") if measured else None,
        "pages": measured,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=INPUTS, help="inputs per control")
    parser.add_argument("--html", type=Path, default=HTML, help="the built site")
    parser.add_argument("--page", action="append", help="only this page (repeatable)")
    parser.add_argument("--no-save", action="store_true", help="print, do not store")
    args = parser.parse_args(argv)
    data = run(args.html, args.inputs, args.page)
    if not args.no_save:
        log(f"wrote {save('live', data)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
