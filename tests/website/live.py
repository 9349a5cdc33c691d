"""What every live explorer's browser test needs: wait for the mount, read the figure, check.

``snapshot`` returns what an explorer shows: its canvases' pixels (``figure``, a function of
the explorer's selector evaluated in the page) and its status line. Two snapshots that
differ mean the figure or the words changed.
"""

from __future__ import annotations

#: Every canvas of the explorer, as PNG data URLs joined.
ALL_CANVASES = (
    "(sel) => [...document.querySelectorAll(sel + ' canvas')].map(c => c.toDataURL()).join()"
)


def mounted(run, sel: str):
    """The explorer ``sel`` once ``live/site.js`` has mounted it (at most 20 s)."""
    run.page.wait_for_selector(f"{sel}[data-mounted='true']", timeout=20_000)
    return run.page.locator(sel)


def snapshot(page, sel: str, figure: str = ALL_CANVASES) -> tuple[str, str]:
    """(the figure, the status line) of the explorer ``sel``."""
    return page.evaluate(figure, sel), page.locator(f"{sel} .dl-status").inner_text()


def assert_clean(run) -> None:
    """No page error, no console error, nothing requested off 127.0.0.1, no failed request."""
    assert run.errors == [] and run.console_errors == [], (run.errors, run.console_errors)
    assert run.external == [] and run.failed == [], (run.external, run.failed)
