"""The part of grading that runs inside the learner's kernel.

The grader sends this module's text to the kernel after ``exercises/feedback.py`` and
the set's drivers (see :func:`exercises.grader.plan.kernel_code`); the lines between
the ``grader-only`` markers are left out there, since feedback.py already defined
those names. It is an ordinary module so that linters and tests read it.

Nothing here is trusted by the grader: the kernel only writes what the learner's
functions returned (``.npy`` files, no pickles) or why they did not (``error.json``),
and the grader judges those files in its own process.
"""

from __future__ import annotations

import json
import pathlib
import sys
from collections.abc import Mapping
from typing import Any

# grader-only: begin
import numpy as np

from exercises.feedback import CheckFailure, ExerciseRuleError, block, switched_back_on, to_arrays

# grader-only: end

FORBIDDEN: dict[str, str] = {}
STREAMS: dict[str, Any] = {}


def install(forbidden: Mapping[str, str]) -> None:
    """Switch off the forbidden descend functions for good (nothing keeps their code) and
    remember the kernel's output streams."""
    FORBIDDEN.update(forbidden)
    block(FORBIDDEN)
    STREAMS.update(stdout=sys.stdout, stderr=sys.stderr, displayhook=sys.displayhook)


def restore_streams() -> None:
    """Put back the kernel's output streams (a question may have set ``sys.stdout = None``)."""
    for name, stream in STREAMS.items():
        if getattr(sys, name, None) is not stream:
            setattr(sys, name, stream)


def _error(folder: pathlib.Path, kind: str, exc: BaseException) -> None:
    data = {"kind": kind, "type": type(exc).__name__, "text": str(exc)[:2000]}
    (folder / "error.json").write_text(json.dumps(data))


def run_question(
    namespace: dict[str, Any], function: str, checks: list[list[str]], keep_inputs: bool
) -> None:
    """Call the learner's function through each check's driver; save what comes back.

    ``checks``: ``[ident, driver name, inputs file, output folder]`` per check.
    """
    for _ident, driver, inputs, out in checks:
        folder = pathlib.Path(out)
        restore_streams()
        try:
            block(FORBIDDEN)  # switch off again what a reload put back
            with np.load(inputs, allow_pickle=False) as data:
                inp = {key: data[key] for key in data.files}
            pristine = {key: value.copy() for key, value in inp.items()}
            fn = namespace.get(function)
            if fn is None:
                raise NameError(f"{function} is not defined; keep the name of the stub")
            if not callable(fn):
                raise TypeError(f"{function} is a {type(fn).__name__}, not a function")
            arrays = to_arrays(globals()[driver](fn, inp))
            undone = switched_back_on(FORBIDDEN)
            if undone:
                raise CheckFailure(
                    "the code switched " + ", ".join(undone) + " back on; this set asks you "
                    "to write it yourself"
                )
            changed = [
                key
                for key in inp
                if not (
                    isinstance(inp[key], np.ndarray)
                    and inp[key].shape == pristine[key].shape
                    and np.array_equal(inp[key], pristine[key], equal_nan=True)
                )
            ]
            if keep_inputs and changed:
                raise CheckFailure(
                    "the function changed its input "
                    + ", ".join(changed)
                    + "; the exercise asks you to leave the inputs unchanged (work on a copy)"
                )
            if len(arrays) > 64:
                raise CheckFailure(f"the result has {len(arrays)} parts; too many")
            for key, arr in arrays.items():
                np.save(folder / f"{key}.npy", arr, allow_pickle=False)
            (folder / "done").write_text("done")
        except CheckFailure as exc:
            _error(folder, "check", exc)
        except ExerciseRuleError as exc:
            _error(folder, "rule", exc)
        except NotImplementedError as exc:
            _error(folder, "unanswered", exc)
        except BaseException as exc:
            _error(folder, "raised", exc)
            if isinstance(exc, KeyboardInterrupt):
                raise
        finally:
            restore_streams()


def kernel_source() -> str:
    """This module's text as the kernel runs it (without the grader-only imports)."""
    text = pathlib.Path(__file__).read_text()
    head, rest = text.split("# grader-only: begin\n", 1)
    head = head.replace("from __future__ import annotations\n", "")  # only first in a file
    return head + rest.split("# grader-only: end\n", 1)[1]
