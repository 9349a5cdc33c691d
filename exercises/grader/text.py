"""Text that came from a submission, made safe for the reports."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def learner_text(text: str, limit: int = 300) -> str:
    """``text`` (written by learner code) as one quoted line: a Markdown code span on a
    single line, so that it cannot pass for the grader's words (a fake "Score:" line)."""
    line = CONTROL.sub(" ", str(text)).replace("`", "'").strip()
    if len(line) > limit:
        line = line[: limit - 3] + "..."
    return f"`{line}`" if line else "`(no message)`"


def csv_cell(value: str) -> str:
    """A spreadsheet cell that is never read as a formula (``=HYPERLINK(...)``)."""
    value = CONTROL.sub(" ", str(value))
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
