"""Every set: the solution notebook scores 100 %, the untouched learner's notebook 0 %.

Each set's two notebooks are graded in one batch by the real grader (sandboxed
kernels, hidden inputs from a fresh seed), as an instructor would grade them.
"""

from __future__ import annotations

import json

import pytest
from exercise_helpers import full_marks, grade_submissions, solution_notebook, student_notebook

from exercises import grader, model

SET_NUMBERS = sorted(model.load_sets())


def test_there_are_seven_sets_of_at_least_five_questions(sets):
    assert sorted(sets) == [1, 2, 3, 4, 5, 6, 7]
    assert [ex.slug for ex in sets.values()] == [
        "initialize",
        "forward",
        "backprop",
        "gradient",
        "update",
        "iterate",
        "linear-regression",
    ]
    for ex in sets.values():
        assert len(ex.questions) >= 5, ex.name
        for q in ex.questions:
            assert q.public and q.hidden, (ex.name, q.title)


@pytest.mark.parametrize("number", SET_NUMBERS)
def test_solution_scores_everything_and_stub_nothing(sets, number, tmp_path):
    ex = sets[number]
    results = grade_submissions(
        ex,
        {"solution": solution_notebook(ex), "stub": student_notebook(ex)},
        tmp_path / "subs",
        workers=2,
    )
    solution, stub = results["solution"], results["stub"]

    assert solution.status == "graded"
    assert solution.notes == []  # no cell raised, nothing timed out
    assert solution.question_scores() == full_marks(ex)
    assert solution.score == pytest.approx(ex.max_score)
    assert [c.message for c in solution.checks if c.message] == []

    assert stub.status == "graded"
    assert stub.score == 0
    assert set(stub.question_scores().values()) == {0.0}
    for c in stub.checks:
        assert c.message.startswith(f"not answered yet: `Exercise {c.planned.number}: "), c.message

    # Gradescope's format, written as an instructor would get it.
    plan = grader.make_plan(ex, grader.Settings(seed=1))
    data = json.loads(json.dumps(grader.results_json(plan, solution)))
    assert data["score"] == pytest.approx(ex.max_score)
    assert sum(t["score"] for t in data["tests"]) == pytest.approx(ex.max_score, abs=1e-3)
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}
    assert all(t["status"] == "passed" for t in data["tests"])
