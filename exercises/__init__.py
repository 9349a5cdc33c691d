"""Graded exercises of the Descend course: set sources, notebook generation, grading.

* ``exercises/sets/``: one module per exercise set (questions, solutions, public and
  hidden checks, written once).
* ``python -m exercises build``: writes the learner's notebooks (``exercises/student``),
  the solution notebooks (``exercises/solutions``) and the book's exercise pages.
* ``python -m exercises grade SET PATH --out DIR``: grades one submission or a folder.

See book/exercises/instructor-guide.md.
"""
