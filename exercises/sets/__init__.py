"""The exercise sets, one module each (``SET = ExerciseSet(...)``)."""
