"""Public checks for the Descend exercises: instant feedback in the learner's notebook.

This file is copied verbatim into the setup cell of every generated exercise
notebook (together with the set's *public* drivers and verifiers), so it must stay
self-contained: standard library and NumPy only, no triple single quotes. It holds
no solutions and no hidden checks. The grader imports the same helpers, so a check
judges a result in the notebook exactly as it does when grading.

Vocabulary
----------
driver
    ``drive(fn, inp) -> value``: calls the learner's function ``fn`` on the inputs
    ``inp`` (a dict of NumPy arrays) and returns what it returned.
verifier
    ``verify(got, want, inp, **options)``: raises :class:`CheckFailure` with a
    message a learner can act on when ``got`` (the learner's outputs, a dict of
    arrays) does not match ``want`` (the reference's outputs or a summary of them).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

# The kinds of arrays that may cross from a learner's kernel to the grader:
# booleans, integers, floats and text (multiple-choice letters). Never objects.
ARRAY_KINDS = "biufU"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")


class CheckFailure(AssertionError):
    """A result that does not pass a check; the message says what is wrong."""


class ExerciseRuleError(RuntimeError):
    """Raised by a descend function that the current exercise asks you to write yourself."""


# --------------------------------------------------------------------------- data


def encode(values: Mapping[str, Any]) -> dict[str, Any]:
    """Encode a dict of arrays (or numbers, tuples, strings) as JSON-ready data."""
    out = {}
    for key, value in values.items():
        arr = np.asarray(value)
        if arr.dtype.kind not in ARRAY_KINDS:
            raise TypeError(f"{key!r} cannot be encoded: dtype {arr.dtype}")
        out[key] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": arr.ravel().tolist()}
    return out


def decode(data: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Inverse of :func:`encode`: a dict of NumPy arrays."""
    return {
        key: np.array(item["data"], dtype=np.dtype(item["dtype"])).reshape(item["shape"])
        for key, item in data.items()
    }


def copy_inputs(inp: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Fresh copies, so that a function that changes its arguments changes nothing else."""
    return {key: np.array(value, copy=True) for key, value in inp.items()}


def to_arrays(value: Any, prefix: str = "out") -> dict[str, np.ndarray]:
    """Flatten a returned value into named arrays of numbers or text.

    A tuple becomes ``out.0, out.1, ...``, a dict ``out.<key>``; a list of numbers
    becomes one array. Anything that is not numbers (``None``, objects, an object
    that claims to equal everything) raises :class:`CheckFailure`.
    """
    if value is None:
        raise CheckFailure(f"{prefix} is None: did the function forget to `return` its result?")
    if isinstance(value, Mapping):
        arrays = {}
        for key, item in value.items():
            if not isinstance(key, str) or not re.match(r"^[A-Za-z0-9_]+$", key):
                raise CheckFailure(f"{prefix} has a key {key!r}; keys must be simple names")
            arrays.update(to_arrays(item, f"{prefix}.{key}"))
        return arrays
    if isinstance(value, tuple):
        arrays = {}
        for i, item in enumerate(value):
            arrays.update(to_arrays(item, f"{prefix}.{i}"))
        return arrays
    if isinstance(value, list):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            arr = None
        if arr is None or arr.dtype.kind not in ARRAY_KINDS:
            return to_arrays(tuple(value), prefix)
        return {prefix: arr}
    arr = np.asarray(value) if isinstance(value, (np.ndarray, np.generic)) else None
    if arr is None:
        if isinstance(value, (bool, int, float, str)):
            arr = np.asarray(value)
        else:
            raise CheckFailure(
                f"{prefix} is a {type(value).__name__}, not a NumPy array or a number; "
                "return numbers (for example np.asarray(...))"
            )
    if arr.dtype.kind not in ARRAY_KINDS:
        raise CheckFailure(
            f"{prefix} is an array of dtype {arr.dtype}; return numbers (float or int)"
        )
    return {prefix: np.array(arr, copy=True)}


# --------------------------------------------------------------- check helpers


def result(got: Mapping[str, np.ndarray], key: str = "out") -> np.ndarray:
    """The output ``key`` of a result, or a clear failure if it is missing."""
    if key in got:
        return got[key]
    if key == "out" and any(k.startswith("out.") for k in got):
        parts = sorted(k for k in got if k.startswith("out."))
        raise CheckFailure(
            f"expected a single array but the function returned several values ({len(parts)})"
        )
    if key.startswith("out.") and "out" in got:
        raise CheckFailure(
            "expected several values (a tuple) but the function returned a single array"
        )
    raise CheckFailure(f"the result has no {key!r}; check what the function returns")


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _label(name: str) -> str:
    """A returned value named in the learner's words: ``out.path`` -> "the result's path"."""
    if name == "out":
        return "the result"
    if not name.startswith("out."):
        return name
    words = []
    for part in name.split(".")[1:]:
        if part.isdigit():
            i = int(part)
            words.append(
                f"the {ORDINALS[i]} value" if i < len(ORDINALS) else f"the value number {i + 1}"
            )
        else:
            words.append(f"'{part}'")
    if words[0].startswith("the "):  # out.0 -> "the first value returned"
        return " of ".join(reversed(words)) + " returned"
    return "the result's " + " ".join(words)


def _where(index: tuple[int, ...]) -> str:
    """An array position in words: (4,) -> "at position 4", (4, 1) -> "in row 4, column 1"."""
    if len(index) == 1:
        return f" at position {index[0]} (counting from 0)"
    if len(index) == 2:
        return f" in row {index[0]}, column {index[1]} (counting from 0)"
    return f" at index {index}"


def expect_numbers(got: Any, name: str = "out") -> np.ndarray:
    """``got`` as a float array, failing on text, NaN or infinity."""
    arr = np.asarray(got)
    if arr.dtype.kind not in "biuf":
        raise CheckFailure(f"{_label(name)} should hold numbers, but has dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise CheckFailure(
            f"{_label(name)} holds {int(bad.sum())} NaN or infinite value(s), the first at "
            f"index {where}; look for an overflow (exp of a large number) or a log of 0"
        )
    return arr


def expect_shape(got: Any, shape: tuple[int, ...], name: str = "out") -> np.ndarray:
    """``got`` as numbers of exactly ``shape`` (a single number may have any size-1 shape)."""
    arr = expect_numbers(got, name)
    shape = tuple(int(s) for s in shape)
    if shape == () and arr.size == 1:
        return arr.reshape(())
    if arr.shape != shape:
        raise CheckFailure(f"{_label(name)} has shape {arr.shape}, expected {shape}")
    return arr


def expect_close(
    got: Any, want: Any, name: str = "out", rtol: float = 1e-6, atol: float = 1e-9
) -> None:
    """Fail unless ``got`` has ``want``'s shape and ``|got - want| <= atol + rtol |want|``.

    A result in a lower precision than float64 (float32, float16) is judged at that
    precision: the tolerances grow to 50 of its rounding steps (relative to the
    largest reference value), since right values cannot be closer than that.
    """
    want = np.asarray(want, dtype=np.float64)
    kind = np.asarray(got).dtype
    arr = expect_shape(got, want.shape, name)
    if kind.kind == "f" and kind.itemsize < 8:
        eps = 50 * float(np.finfo(kind).eps)
        rtol = max(rtol, eps)
        atol = max(atol, eps * float(np.max(np.abs(want), initial=0.0)))
    diff = np.abs(arr - want)
    tol = atol + rtol * np.abs(want)
    wrong = diff > tol
    if wrong.any():
        worst = np.unravel_index(int(np.argmax(diff - tol)), want.shape) if want.shape else ()
        where = _where(tuple(int(i) for i in worst)) if want.shape else ""
        others = int(wrong.sum()) - 1
        more = f" ({others} other entries differ too)" if others > 0 else ""
        a, b = _distinct(float(arr[worst]), float(want[worst]))
        raise CheckFailure(f"{_label(name)}{where} is {a}, expected {b}{more}")


def _distinct(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` with enough digits to tell them apart (6 at least)."""
    for digits in range(6, 18):
        x, y = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if x != y:
            return x, y
    return x, y


def expect_equal(got: Any, want: Any, name: str = "out") -> None:
    """Fail unless ``got`` equals ``want`` exactly (integers, booleans, text)."""
    want = np.asarray(want)
    arr = np.asarray(got)
    if want.dtype.kind == "U":
        if arr.dtype.kind != "U":
            raise CheckFailure(f"{_label(name)} should be text, got dtype {arr.dtype}")
    elif want.dtype.kind == "b":
        if arr.dtype.kind not in "biu" or not np.isin(arr, (0, 1)).all():
            raise CheckFailure(f"{_label(name)} should be True or False, got {arr!r}")
        arr = arr.astype(bool)
    else:
        expect_numbers(arr, name)
    if want.shape == () and arr.size == 1:
        arr = arr.reshape(())
    if arr.shape != want.shape:
        raise CheckFailure(f"{_label(name)} has shape {arr.shape}, expected {want.shape}")
    wrong = arr != want
    if np.any(wrong):
        if want.shape == ():
            raise CheckFailure(f"{_label(name)} is {arr.item()!r}, which is not right")
        first = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise CheckFailure(
            f"{_label(name)}{_where(first)} is {arr[first].item()!r}, "
            f"expected {want[first].item()!r} ({int(np.sum(wrong))} entries differ)"
        )


def expect_letter(got: Any, choices: str = "ABCD", name: str = "out") -> str:
    """``got`` as one capital letter among ``choices``."""
    arr = np.asarray(got)
    if arr.dtype.kind != "U" or arr.shape != ():
        raise CheckFailure(
            f'{_label(name)} should be one letter in quotes, like "{choices[0]}"; got {arr!r}'
        )
    letter = str(arr).strip().upper()
    if len(letter) != 1 or letter not in choices:
        raise CheckFailure(
            f"{_label(name)} is {str(arr)!r}; answer with one of " + ", ".join(choices)
        )
    return letter


# -------------------------------------------------- generic drivers and verifiers


def call(fn: Callable[..., Any], inp: Mapping[str, np.ndarray]) -> Any:
    """The default driver: call ``fn`` with the inputs in order, as positional arguments.

    A 0-d array becomes a Python number, so ``fn(3)`` sees an ``int``.
    """
    return fn(*[value.item() if value.ndim == 0 else value for value in inp.values()])


def verify_close(
    got: Mapping[str, np.ndarray],
    want: Mapping[str, np.ndarray],
    inp: Any,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> None:
    """Every output close to the reference's (same names, shapes and values)."""
    for key in want:
        expect_close(result(got, key), want[key], key, rtol=rtol, atol=atol)


def verify_equal(got: Mapping[str, np.ndarray], want: Mapping[str, np.ndarray], inp: Any) -> None:
    """Every output exactly equal to the reference's."""
    for key in want:
        expect_equal(result(got, key), want[key], key)


def verify_letter_format(
    got: Mapping[str, np.ndarray], want: Any, inp: Any, choices: str = "ABCD"
) -> None:
    """A multiple-choice answer is one of the letters (not whether it is right)."""
    expect_letter(result(got), choices)


def verify_number_format(got: Mapping[str, np.ndarray], want: Any, inp: Any) -> None:
    """A predicted value is one finite number (not whether it is right)."""
    expect_shape(result(got), ())


# ------------------------------------------------------------------------ rules


SWITCHED_OFF = "<switched off for this exercise set>"  # the file name of the stubs' code


def _stub_code(message: str, freevars: tuple[str, ...] = (), gate: str | None = None) -> Any:
    """Code that raises ``ExerciseRuleError(message)`` (with ``gate``: that first calls the
    original kept under that key when the caller is descend itself). It has the free
    variables ``freevars`` (a method using ``super()`` has ``__class__``), unused."""
    body = "    if __import__('sys')._getframe(1).f_globals.get('__name__', '').partition('.')[0]"
    body += " == 'descend':\n        return __descend_originals__[KEY](*args, **kwargs)\n"
    source = (
        f"def make({', '.join(freevars)}):\n"
        "  def stub(*args, **kwargs):\n"
        + (f"    ({', '.join(freevars)},)\n" if freevars else "")
        + (body if gate else "")
        + "    raise __descend_rule__(MESSAGE)\n"
        "  return stub\n"
    )
    namespace: dict[str, Any] = {}
    exec(
        compile(
            source.replace("MESSAGE", repr(message)).replace("KEY", repr(gate)),
            SWITCHED_OFF,
            "exec",
        ),
        namespace,
    )
    code = namespace["make"](*freevars).__code__
    if code.co_freevars != tuple(freevars):
        raise TypeError(f"cannot build a stub with free variables {freevars}")
    return code


def _functions_of(obj: Any) -> list[Any]:
    """The Python functions that make ``obj``: itself, or a class's methods and properties."""
    if isinstance(obj, property):
        return [f for f in (obj.fget, obj.fset, obj.fdel) if f is not None]
    if isinstance(obj, (staticmethod, classmethod)):
        return _functions_of(obj.__func__)
    if hasattr(obj, "__code__") and hasattr(obj, "__globals__"):
        return [obj]
    if isinstance(obj, type):
        return [f for value in vars(obj).values() for f in _functions_of(value)]
    return []


def _private_helpers(functions: list[Any]) -> list[Any]:
    """descend's private functions (``_name``) that ``functions`` call, directly or not."""
    found: dict[int, Any] = {}
    todo = list(functions)
    while todo:
        fn = todo.pop()
        codes = [fn.__code__]
        names: set[str] = set()
        while codes:
            code = codes.pop()
            names.update(code.co_names)
            codes.extend(c for c in code.co_consts if hasattr(c, "co_names"))
        for name in names:
            value = fn.__globals__.get(name)
            if (
                name.startswith("_")
                and hasattr(value, "__code__")
                and str(getattr(value, "__module__", "")).partition(".")[0] == "descend"
                and id(value) not in found
            ):
                found[id(value)] = value
                todo.append(value)
    return [f for f in found.values() if f not in functions]


def block(forbidden: Mapping[str, str]) -> Callable[[], None]:
    """Switch off the descend functions an exercise asks the learner to write.

    ``forbidden`` maps a dotted name (``"descend.init.he_normal"``, a class such as
    ``"descend.optim.Adam"``, or a class attribute such as
    ``"descend.network.Network.n_params"``) to the exercise that asks for it
    (``"Exercise 1.2"``). The function objects themselves change: their code is
    replaced by code that raises :class:`ExerciseRuleError`, so every route to them
    (an alias, a registry such as ``OPTIMIZERS``, ``get(name)``, a closure, a
    subclass) is closed. descend's private helpers that they call (``_name``) run
    only when descend itself calls them. Returns a function that switches everything
    back on (the grader never calls it).
    """
    swaps: list[tuple[Any, Any]] = []
    done: set[int] = set()
    for dotted, label in forbidden.items():
        owner, attr = _resolve(dotted)
        message = (
            f"used {dotted}, which {label} asks you to write, so it is switched off in "
            "the checks and in grading; use NumPy instead"
        )
        functions = _functions_of(getattr(owner, attr))
        if not functions:
            raise TypeError(f"{dotted} is not a function, class or property")
        for fn in functions:
            if id(fn) not in done and fn.__code__.co_filename != SWITCHED_OFF:
                done.add(id(fn))
                swaps.append((fn, fn.__code__))
        for helper in _private_helpers(functions):
            if id(helper) in done or helper.__code__.co_filename == SWITCHED_OFF:
                continue
            done.add(id(helper))
            key = f"{helper.__module__}.{helper.__qualname__}"
            original = type(helper)(
                helper.__code__,
                helper.__globals__,
                helper.__name__,
                helper.__defaults__,
                helper.__closure__,
            )
            original.__kwdefaults__ = helper.__kwdefaults__
            helper.__globals__.setdefault("__descend_originals__", {})[key] = original
            helper.__globals__["__descend_rule__"] = ExerciseRuleError
            text = (
                f"used {key} (a private part of {dotted}), which {label} asks you to "
                "write, so it is switched off in the checks and in grading; use NumPy instead"
            )
            swaps.append((helper, helper.__code__))
            helper.__code__ = _stub_code(text, helper.__code__.co_freevars, gate=key)
        for fn in functions:
            if fn.__code__.co_filename != SWITCHED_OFF:
                fn.__globals__["__descend_rule__"] = ExerciseRuleError
                fn.__code__ = _stub_code(message, fn.__code__.co_freevars)

    def restore() -> None:
        for fn, code in reversed(swaps):
            fn.__code__ = code

    return restore


def switched_back_on(forbidden: Mapping[str, str]) -> list[str]:
    """The names of ``forbidden`` that no longer lead to switched-off code (a reload)."""
    undone = []
    for dotted in forbidden:
        try:
            owner, attr = _resolve(dotted)
            functions = _functions_of(getattr(owner, attr))
        except (ImportError, AttributeError):
            continue
        if any(fn.__code__.co_filename != SWITCHED_OFF for fn in functions):
            undone.append(dotted)
    return undone


def _resolve(dotted: str) -> tuple[Any, str]:
    """The object that holds the last name of ``dotted`` (a module or a class), and that name."""
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1]
    raise ImportError(f"cannot find {dotted}")


# ----------------------------------------------------------------------- judging


def describe_error(exc: BaseException) -> str:
    """One line about an exception raised by learner code."""
    if isinstance(exc, NotImplementedError):
        return f"not answered yet ({exc})"
    text = f"{type(exc).__name__}: {exc}"
    return "raised " + (text if len(text) <= 300 else text[:297] + "...")


def judge(
    verify: Callable[..., None],
    got: Mapping[str, np.ndarray],
    want: Mapping[str, np.ndarray],
    inp: Mapping[str, np.ndarray],
    options: Mapping[str, Any],
) -> tuple[bool, str]:
    """Run a verifier; ``(passed, message)``."""
    try:
        verify(got, want, inp, **options)
    except CheckFailure as exc:
        return False, str(exc)
    except Exception as exc:  # the result was too strange for the verifier to read
        return False, f"could not check the result ({type(exc).__name__}: {exc})"
    return True, ""


# ---------------------------------------------------------- notebook feedback


def make_check(
    namespace: dict[str, Any], data: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]
) -> Callable[..., bool]:
    """Build the ``check(question)`` function of a learner's notebook.

    ``namespace`` is the notebook's globals (where the learner's functions live),
    ``data`` the set's public checks (inputs and reference values), ``functions``
    the public drivers and verifiers by name.
    """
    questions = data["questions"]
    forbidden = data.get("forbidden", {})

    def check(question: str, strict: bool = False) -> bool:
        """Run the public checks of one question and say what passed and what failed.

        Returns True when every public check passed. Grading runs hidden checks too,
        on new inputs, so passing here is necessary, not sufficient.
        """
        if question not in questions:
            raise ValueError(f"unknown question {question!r}; this set has " + ", ".join(questions))
        spec = questions[question]
        label = f"Exercise {spec['number']}"
        lines = [f"{label} ({spec['function']}), public checks:"]
        passed = 0
        for item in spec["checks"]:
            fn = namespace.get(spec["function"])
            if fn is None:
                ok, why = False, f"{spec['function']} is not defined: run its cell first"
            else:
                ok, why = _run_public(fn, item, functions, forbidden)
            passed += ok
            mark = "  \u2713 " if ok else "  \u2717 "
            lines.append(mark + item["name"] + ("" if ok else f": {why}"))
        total = len(spec["checks"])
        if passed == total:
            lines.append(
                f"{passed} of {total} public checks passed. Public checks passed; grading also "
                "runs hidden checks on new inputs."
            )
        else:
            lines.append(
                f"{passed} of {total} public checks passed; fix the first \u2717 and run again."
            )
        print("\n".join(lines))
        if strict and passed != total:
            raise AssertionError(f"{label}: {total - passed} public check(s) failed")
        return passed == total

    return check


def _run_public(
    fn: Callable[..., Any],
    item: Mapping[str, Any],
    functions: Mapping[str, Callable[..., Any]],
    forbidden: Mapping[str, str],
) -> tuple[bool, str]:
    inp = decode(item["inputs"])
    want = decode(item["want"])
    restore = block(forbidden)
    try:
        value = functions[item["driver"]](fn, copy_inputs(inp))
        got = to_arrays(value)
    except CheckFailure as exc:
        return False, str(exc)
    except Exception as exc:
        return False, describe_error(exc)
    except KeyboardInterrupt:
        return False, "interrupted"
    finally:
        restore()
    return judge(functions[item["verify"]], got, want, inp, item.get("options", {}))
