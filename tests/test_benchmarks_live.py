"""The live-explorer benchmark's logic: percentiles, the latency it reports, kinds and goals.

The timings themselves are measured by ``benchmarks/live_latency.py`` and reported in
``benchmarks/RESULTS.md``, never asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import live_latency  # noqa: E402
import screenshots  # noqa: E402
from timing import percentile  # noqa: E402


def test_percentile_interpolates_between_order_statistics():
    values = [float(v) for v in range(100, 0, -1)]  # 100 .. 1, unsorted on purpose
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile([3.0], 95) == 3.0


def test_summary_of_a_control():
    s = live_latency.summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s["median_ms"] == 3.0
    assert s["p95_ms"] == pytest.approx(4.0 + 0.8 * 96.0)
    assert s["max_ms"] == 100.0
    assert s["min_ms"] == 1.0


def test_summary_of_no_input_is_an_error_naming_the_cause():
    with pytest.raises(ValueError, match="received no input"):
        live_latency.summarize([])


def test_latency_leaves_out_the_idle_wait_for_the_frame():
    quick = {"t0": 100.0, "handled": 102.0, "frame": 110.0, "done": 113.0}  # waited 8 ms
    slow = {"t0": 200.0, "handled": 240.0, "frame": 230.0, "done": 245.0}  # frame was due
    lat = live_latency.latencies([quick, slow])
    assert lat["latency"] == pytest.approx([5.0, 45.0])
    assert lat["with_wait"] == pytest.approx([13.0, 45.0])
    assert lat["handlers"] == pytest.approx([2.0, 40.0])


def test_kinds_are_classified_and_an_unknown_kind_is_unclassified():
    assert live_latency.classify("gradient") == "surface/1-D"
    assert live_latency.classify("playground") == "network"
    assert live_latency.classify("no-such-kind") == "unclassified"
    assert live_latency.goal_ms("lr1d") == 16.0
    assert live_latency.goal_ms("playground") == 50.0
    assert live_latency.goal_ms("no-such-kind") is None
    assert live_latency.verdict("bowl", 16.0) is True
    assert live_latency.verdict("bowl", 16.5) is False
    assert live_latency.verdict("playground", 49.0) is True
    assert live_latency.verdict("no-such-kind", 1.0) is None


def test_every_live_explorer_kind_has_a_class():
    """A new kind of live explorer needs its line in live_latency.CLASSES (its goal)."""
    import descend.live as live

    def kinds(cls):
        for sub in cls.__subclasses__():
            if sub.kind:
                yield sub.kind
            yield from kinds(sub)

    missing = sorted(set(kinds(live.LiveWidget)) - set(live_latency.CLASSES))
    assert not missing, f"add these kinds to CLASSES in benchmarks/live_latency.py: {missing}"


def test_screenshot_names():
    name = screenshots.file_name("book/04-gradient.html", "gradient", 1, "390-dark")
    assert name == "04-gradient-gradient-1-390-dark.png"
    assert set(screenshots.VARIANTS) == {"1280-light", "1280-dark", "390-dark"}
