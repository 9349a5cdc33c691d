"""The reports: Gradescope's results.json, the learner's feedback.md, the batch's grades.csv.

Everything a submission wrote (exception messages, file names) reaches them only
through :mod:`exercises.grader.text`: on one line, quoted, never as a formula.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from exercises import sandbox
from exercises.grader import isolation
from exercises.grader.judging import CheckResult, SubmissionResult
from exercises.grader.plan import Plan, Settings
from exercises.grader.text import csv_cell


def results_json(plan: Plan, res: SubmissionResult) -> dict[str, Any]:
    """Gradescope's autograder results format."""
    tests = []
    for c in res.checks:
        p = c.planned
        status = "passed" if (c.score > 0 or (p.max_score == 0 and not c.message)) else "failed"
        tests.append(
            {
                "name": f"Exercise {p.number} {p.title}: {p.name} ({p.visibility})",
                "number": p.number,
                "score": round(c.score, 4),
                "max_score": round(p.max_score, 4),
                "status": status,
                "output": "passed" if status == "passed" else c.message,
                "visibility": "visible"
                if p.visibility == "public"
                else plan.settings.hidden_visibility,
            }
        )
    summary = [
        f"Exercise set {plan.ex.number} ({plan.ex.title}): {res.score:g} of "
        f"{res.max_score:g} points."
    ]
    summary += [f"Note: {n}" for n in res.notes]
    return {
        "score": res.score,
        "execution_time": round(res.seconds, 2),
        "output": "\n".join(summary),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "set": plan.ex.name,
            "seed": str(plan.seed),
            "status": res.status,
            "path": str(res.path),
            "sandbox": sandbox_status(plan.settings),
            "isolation": isolation.describe(
                plan.settings.memory_mb, plan.settings.disk_mb, plan.settings.pids
            ),
        },
    }


def feedback_text(plan: Plan, res: SubmissionResult) -> str:
    """A readable report for the learner (and the instructor)."""
    lines = [
        f"# Exercise set {plan.ex.number}: {plan.ex.title}: {res.name}",
        "",
        f"Score: {res.score:g} of {res.max_score:g} points.",
        "",
    ]
    if res.notes:
        lines += ["Notes:", *[f"- {n}" for n in res.notes], ""]
    by_key: dict[str, list[CheckResult]] = {}
    for c in res.checks:
        by_key.setdefault(c.planned.key, []).append(c)
    for checks in by_key.values():
        first = checks[0].planned
        got = sum(c.score for c in checks)
        top = sum(c.planned.max_score for c in checks)
        lines.append(f"## Exercise {first.number}: {first.title} ({got:g} of {top:g})")
        for c in checks:
            mark = (
                "passed"
                if c.score > 0 or (c.planned.max_score == 0 and not c.message)
                else "FAILED"
            )
            text = f"- [{c.planned.visibility}] {c.planned.name}: {mark}"
            if mark == "FAILED":
                text += f": {c.message}"
            lines.append(text)
        lines.append("")
    return "\n".join(lines)


def write_results(
    plan: Plan, results: Sequence[SubmissionResult], out: Path, gradescope: bool = False
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if gradescope:
        (out / "results.json").write_text(json.dumps(results_json(plan, results[0]), indent=2))
        return
    for res in results:
        folder = out / res.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(results_json(plan, res), indent=2))
        (folder / "feedback.md").write_text(feedback_text(plan, res))
    keys = plan.ex.keys
    # columns named as the learner's notebook numbers the exercises: 5.1, 5.2, ...
    columns = [f"{plan.ex.number}.{i + 1}" for i in range(len(keys))]
    with open(out / "grades.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["submission", "score", "max_score", "percent", *columns, "status", "notes", "file"]
        )
        for res in results:
            qs = res.question_scores()
            w.writerow(
                [
                    csv_cell(res.name),
                    f"{res.score:g}",
                    f"{res.max_score:g}",
                    f"{100 * res.score / res.max_score:.1f}" if res.max_score else "0",
                    *[f"{qs.get(k, 0):g}" for k in keys],
                    res.status,
                    csv_cell(" | ".join(res.notes)[:1000]),
                    csv_cell(str(res.path)),
                ]
            )


def sandbox_status(settings: Settings) -> str:
    """The filesystem sandbox in force, for the report."""
    if settings.sandbox == "off":
        return "off (resource limits only)"
    abi = sandbox.landlock_abi()
    return f"landlock ABI {abi}" if abi else "unavailable (resource limits only)"
