"""Fixtures for the exercise tests (helpers live in exercise_helpers.py)."""

from __future__ import annotations

import pytest

from exercises import model


@pytest.fixture(scope="session")
def sets() -> dict[int, model.ExerciseSet]:
    return model.load_sets()
