"""Assertions for grading suites: shapes, dtypes, closeness and bounds, with messages for students.

Every message states what was measured (shapes, dtypes, error sizes) and never
the expected values themselves. Any suite may use these helpers; none of them
knows about a particular assignment.

Three rules hold in every helper:

- **Nothing non-finite earns a point.** Every comparison with NaN is False, so a
  check written as "fail if the error is above the bound" would pass NaN. Every
  helper here fails on NaN or +-inf in the student's values unless the expected
  values hold the very same value at the same place.
- **Tolerances come from the inputs and the expected values, never from the
  student's values.** The tolerance is ``ULPS`` units in the last place of the
  looser of the dtype of the reference's result and the dtype of the inputs;
  times the size of the expected values. A result more precise than that is
  never failed for it. A result *less* precise (as precise as its values really
  are: float32 numbers stored as float64 count as float32) loses the one
  dedicated check (``expect_precision``), and its values are compared with the
  expected values rounded to its dtype (``ULPS_ROUNDED`` of its ulps at each value), not
  with the tolerance of a computation done in that dtype: casting a result down
  never widens the tolerance enough to hide a wrong formula.
- **Non-finite expected values are never a pass.** When the expected values
  come out NaN or infinite, the check fails if the student's results fed them
  (``from_student=True``), and raises ``CheckError`` (the check's author's
  mistake, reported as an error of the grader) if only fixed inputs did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, SupportsFloat

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from autograder.difference import Positions, describe_difference

ULPS = 1000  # float64: about 2e-13; float32: about 1.2e-4 (relative)
# float16 holds 3 significant digits: 1000 of its ulps would be about 1, which any
# formula passes. The spec never computes in float16; a float16 result is at best
# a right answer rounded to float16, from inputs rounded to it or cast at the end:
# off by about 1.2 ulps. 2 ulps (about 2e-3 of the values' size) allow that, and no
# more: with 8, a formula 0.4% off everywhere passed every check but the precision
# ones once its results were cast to float16.
ULPS_HALF = 2
# A result less precise than its inputs (float32 from float64 inputs) is judged as what it at best is:
# the right answer rounded to its dtype. Rounding is half an ulp; the computation before it (in the
# inputs' precision) may tip it to the neighbouring number: 2 ulps of the result's dtype, on top of the
# inputs' own tolerance. With float32's 1000 ulps instead, a formula 4e-5 off everywhere passed every
# value check once its results were cast to float32.
ULPS_ROUNDED = 2


class CheckError(Exception):
    """A check is wrong, not the student: its expected values from fixed inputs are not finite."""


# -- dtypes and tolerances ------------------------------------------------------------


def _eps(dtype: DTypeLike) -> float:
    # Asked thousands of times per grading, for a handful of dtypes: each answer is kept.
    try:
        return _EPS[dtype]
    except (KeyError, TypeError):  # not seen yet, or not a dictionary key (then never kept)
        pass
    eps = _eps_of(np.dtype(dtype))
    try:
        _EPS[dtype] = eps
    except TypeError:
        pass
    return eps


def _eps_of(dtype: np.dtype[Any]) -> float:
    return float(np.finfo(dtype).eps) if dtype.kind in "fc" else float(np.finfo(np.float64).eps)


_EPS: dict[Any, float] = {}


def looser(*dtypes: DTypeLike | None) -> np.dtype[Any]:
    """The least precise of ``dtypes`` (None entries are skipped; integers count as float64)."""
    given = [np.dtype(d) for d in dtypes if d is not None]
    return max(given, key=_eps) if given else np.dtype(np.float64)


def tolerance(dtype: DTypeLike, scale: float = 1.0) -> float:
    """Absolute tolerance for results of ``dtype`` whose magnitudes are about ``scale``."""
    eps = _eps(dtype)
    ulps = ULPS if eps <= _eps(np.float32) else ULPS_HALF
    return float(ulps * eps * max(1.0, scale))


def compare(
    actual: np.ndarray, expected: ArrayLike, needed: DTypeLike, scale: float = 1.0
) -> tuple[bool, float, tuple[int, ...], np.dtype[Any], float]:
    """(within tolerance, largest error, where, the dtype named in feedback, the tolerance there).

    ``needed`` is the looser of the reference's and the inputs' dtypes: a result at
    least that precise may be off by the tolerance of a computation in ``needed``
    (``tolerance(needed, scale)``). A result that holds less (``held_precision``) is
    compared with the expected values rounded to its own dtype: each value may be
    off by that tolerance plus ``ULPS_ROUNDED`` of its own ulps in that dtype, never
    by the tolerance of a computation done in that dtype; ``expect_precision`` is
    the one check that charges the lost precision itself.
    """
    expected = np.asarray(expected)
    held, needed = held_precision(actual), np.dtype(needed)
    tol = tolerance(needed, scale)
    if _eps(held) <= _eps(needed):
        error, index = error_size(actual, expected)
        return error <= tol, error, index, needed, tol
    with np.errstate(all="ignore"):
        spacing = np.abs(np.spacing(np.asarray(expected, dtype=np.float64).astype(held)).astype(np.float64))
    allowed = tol + ULPS_ROUNDED * np.nan_to_num(spacing, nan=0.0, posinf=0.0)
    diff = _differences(actual, expected)
    if not diff.size:
        return True, 0.0, (), held, tol
    excess = np.where(np.isfinite(diff), diff - allowed, np.inf)
    worst = np.unravel_index(int(np.argmax(excess)), diff.shape)
    error = float(diff[worst])
    return bool(excess[worst] <= 0), error, tuple(int(i) for i in worst), held, float(allowed[worst])


def held_precision(values: np.ndarray) -> np.dtype[Any]:
    """The precision ``values`` really hold: float32 numbers stored as float64 count as float32.

    Only loosens a tolerance (a float64 array whose values all happen to be
    float32 numbers is compared as float32), so it never fails a right answer.
    """
    dtype = values.dtype
    if dtype.kind != "f" or _eps(dtype) >= _eps(np.float32):
        return dtype
    finite = values[np.isfinite(values)]
    if finite.size and np.array_equal(finite.astype(np.float32).astype(dtype), finite):
        return np.dtype(np.float32)
    return dtype


def cast_down(values: np.ndarray, reference: np.ndarray) -> bool:
    """Whether ``values`` are float32 numbers where ``reference`` needs more (a result cast down and back)."""
    if values.dtype.kind != "f" or reference.dtype.kind != "f" or values.shape != reference.shape:
        return False
    needs_more = np.isfinite(reference) & (reference.astype(np.float32).astype(np.float64) != reference)
    if np.count_nonzero(needs_more) < max(1, reference.size // 4):
        return False  # the reference itself is (mostly) float32 numbers: nothing to tell
    picked = values[needs_more].astype(np.float64)
    return bool(np.array_equal(picked.astype(np.float32).astype(np.float64), picked))


# -- what came back ---------------------------------------------------------------------


# How many items of a tuple or list are each described; past this, the rest is counted.
LISTED_ITEMS = 6
# How deep a nested tuple or list is described; deeper ones are only counted.
LISTED_DEPTH = 2


def describe(value: object, depth: int = LISTED_DEPTH) -> str:
    """A short, true description of a returned value: its type, shape and dtype, item by item.

    A tuple or list names every item (all alike: once, with "each"); past
    ``LISTED_ITEMS`` items the rest is counted, and past ``depth`` levels of
    nesting only the length is given, so the words never claim fewer items than
    there are.
    """
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    type_name = getattr(value, "type_name", None)
    if type_name:  # what the wire format could not carry (wire.Unsupported)
        return f"an object of type {type_name}"
    if isinstance(value, (tuple, list)):
        return _describe_sequence(value, depth)
    if value is None:
        return "None (is a return statement missing?)"
    if isinstance(value, (bool, int, float, np.generic)):
        return f"one number ({type(value).__name__})"
    return f"a {type(value).__name__}"


def _describe_sequence(value: tuple[Any, ...] | list[Any], depth: int) -> str:
    kind, count = type(value).__name__, len(value)
    noun = "item" if count == 1 else "items"
    if count == 0:
        return f"an empty {kind}"
    if depth <= 0:
        return f"a {kind} of {count} {noun}"
    parts = [describe(item, depth - 1) for item in value]
    if count > 1 and len(set(parts)) == 1:
        return f"a {kind} of {count} {noun}, each {parts[0]}"
    shown = parts[:LISTED_ITEMS]
    rest = count - len(shown)
    listed = "; ".join(shown) + (f"; and {rest} more" if rest else "")
    return f"a {kind} of {count} {noun} ({listed})"


def tolerance_words(tol: float, dtype: DTypeLike, reason: str = "") -> str:
    """'the tolerance is 0.00012 (float32 precision: the inputs were float32)': the number, its dtype and why."""
    return f"the tolerance is {tol:.2g} ({np.dtype(dtype)} precision{': ' + reason if reason else ''})"


def tolerance_reason(
    chosen: DTypeLike,
    actual_dtype: DTypeLike,
    held: np.dtype[Any],
    reference_dtype: DTypeLike | None,
    precision: DTypeLike | None,
) -> str:
    """Why ``chosen`` (the looser of the three) sets the tolerance, in a student's words.

    ``held`` is the precision the result's values really hold, ``reference_dtype``
    the expected values' dtype, ``precision`` the inputs' dtype (or None).
    """
    chosen, actual_dtype = np.dtype(chosen), np.dtype(actual_dtype)
    needed = looser(reference_dtype, precision)
    if _eps(held) > _eps(needed):  # compare() judged it against the expected values rounded to its dtype
        which = f"your {held} result"
        if held != actual_dtype:
            which = f"your {actual_dtype} result holds only {held} numbers and"
        return (
            f"{which} is compared with the expected values rounded to {held}, "
            f"since the {needed} precision they need does not fit in {held}"
        )
    if np.dtype(held) == chosen:
        if held != actual_dtype:
            return f"your {actual_dtype} result holds only {held} numbers"
        return f"your result is {actual_dtype}"
    if precision is not None and looser(precision) == chosen:
        return f"the inputs were {np.dtype(precision)}, while your result is {actual_dtype}"
    return f"the expected values are {np.dtype(reference_dtype)}, while your result is {actual_dtype}"


def count_nonfinite(values: np.ndarray) -> tuple[int, int, int]:
    """How many NaN, +inf and -inf ``values`` hold."""
    if values.dtype.kind not in "fc":
        return 0, 0, 0
    return (
        int(np.count_nonzero(np.isnan(values))),
        int(np.count_nonzero(np.isposinf(values))),
        int(np.count_nonzero(np.isneginf(values))),
    )


def describe_nonfinite(values: np.ndarray, mask: np.ndarray | None = None) -> str:
    """'NaN in 3 and inf in 1 of 768 places' for the non-finite values (within ``mask``)."""
    picked = values if mask is None else values[mask]
    nan, pos, neg = count_nonfinite(np.asarray(picked))
    parts = [f"{label} in {n}" for label, n in (("NaN", nan), ("inf", pos), ("-inf", neg)) if n]
    return f"{' and '.join(parts)} of {values.size} places"


def expect_array(value: object, what: str, shape: Sequence[int] | None = None) -> np.ndarray:
    """``value`` must be a real-valued ndarray of finite numbers (of ``shape`` if given)."""
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{what} should be a NumPy array, but it is {describe(value)}")
    if value.dtype.kind not in "fiu" and value.dtype.kind != "b":
        raise AssertionError(f"{what} should hold real numbers, but its dtype is {value.dtype}")
    if shape is not None and value.shape != tuple(shape):
        raise AssertionError(f"{what} should have shape {tuple(shape)}, but it has shape {value.shape}")
    if any(count_nonfinite(value)):
        raise AssertionError(f"{what} holds {describe_nonfinite(value)}")
    return value


def expect_pair(
    value: object, function: str, names: Sequence[str], shape: Sequence[int] | None
) -> tuple[np.ndarray, np.ndarray]:
    """``value`` must be a tuple of two arrays of ``shape`` (e.g. ``(xt, eps)``)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise AssertionError(
            f"{function} should return two arrays ({', '.join(names)}), but it returned {describe(value)}"
        )
    first, second = (
        expect_array(v, f"{name} returned by {function}", shape) for v, name in zip(value, names, strict=True)
    )
    return first, second


def expect_precision(
    result: np.ndarray, given: DTypeLike, what: str, reference: np.ndarray | None = None
) -> np.ndarray:
    """``result`` holds floats at least as precise as the ``given`` dtype of the inputs.

    With a ``reference`` result, float32 numbers returned in a float64 array
    (cast down and back) are caught too. Make this the one check of a function
    that judges precision: the others compare within the looser tolerance.
    """
    given = np.dtype(given)
    if given.kind != "f":
        given = np.dtype(np.float64)
    if result.dtype.kind != "f":
        raise AssertionError(f"{what} should hold floats, but its dtype is {result.dtype}")
    keep = "float64" if given == np.float64 else f"{given} or float64"
    if _eps(result.dtype) > _eps(given):
        raise AssertionError(
            f"{what} is {result.dtype}, but the inputs were {given}: casting down "
            f"throws away precision the inputs had; return {keep}"
        )
    if reference is not None and _eps(given) < _eps(np.float32) and cast_down(result, reference):
        raise AssertionError(
            f"{what} is {result.dtype}, but its values are float32 numbers, while the inputs were {given}: "
            f"somewhere the computation went through float32 and lost precision; keep {keep} throughout"
        )
    return result


# -- comparisons ----------------------------------------------------------------------------


def error_size(actual: ArrayLike, expected: ArrayLike) -> tuple[float, tuple[int, ...]]:
    """Largest absolute difference and where it is.

    A non-finite value counts as infinitely far, except where the expected value is
    the very same (NaN where NaN is expected, inf where inf is).
    """
    diff = _differences(actual, expected)
    if not diff.size:
        return 0.0, ()
    index = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return float(diff[index]), tuple(int(i) for i in index)


def _differences(actual: ArrayLike, expected: ArrayLike) -> np.ndarray:
    """|actual - expected| in float64, 0 where both hold the same value (NaN included), inf where one is not finite."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(actual - expected)
    if np.isfinite(diff).all():  # both finite everywhere: equal values already differ by exactly 0.0
        return np.asarray(diff)  # an array even for 0-d inputs, as np.where gives
    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    return np.where(same, 0.0, np.where(np.isfinite(diff), diff, np.inf))


def expected_scale(expected: np.ndarray) -> float:
    """The size of the expected values (their largest finite magnitude)."""
    finite = np.abs(np.asarray(expected, dtype=np.float64))
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if finite.size else 1.0


def is_close(
    actual: object, expected: ArrayLike, scale: float | None = None, precision: DTypeLike | None = None
) -> bool:
    """Whether ``actual`` matches ``expected`` within the tolerance of ``assert_close`` (never for NaN/inf)."""
    if not isinstance(actual, np.ndarray) or actual.dtype.kind not in "fiub" or actual.shape != np.shape(expected):
        return False
    expected = np.asarray(expected)
    scale = expected_scale(expected) if scale is None else scale
    return compare(actual, expected, looser(expected.dtype, precision), scale)[0]


def assert_close(
    actual: np.ndarray,
    expected: ArrayLike,
    what: str,
    scale: float | None = None,
    hint: str = "",
    precision: DTypeLike | None = None,
    reference_dtype: DTypeLike | None = None,
    from_student: bool = True,
    nonfinite_expected: bool = False,
    positions: Positions | None = None,
    probe: Callable[[], str] | None = None,
) -> None:
    """Fail with the largest error, its place and the tolerance used when they differ.

    The tolerance is that of the looser of the dtype of ``expected`` (or
    ``reference_dtype``) and ``precision``, the dtype of the inputs (float32
    inputs limit a float64 result to float32 accuracy); times ``scale``, by
    default the size of the expected values (never of the student's). A result
    holding less precision than that is compared with the expected values
    rounded to its dtype (``compare``). ``from_student``: whether the student's results fed the expected
    values, so that NaN or inf in them fails the check; pass False when only fixed
    inputs did, and non-finite expected values raise ``CheckError`` (the check is
    broken). The default is the one that never blames the check for a student's NaN.
    ``nonfinite_expected``: the reference legitimately holds NaN or inf for these
    fixed inputs; the student must then hold the very same value at the same place.
    ``hint`` is a string, or a callable giving one, added to the failure message.
    When it gives nothing (no known mistake matched), the message describes the
    shape of the difference instead (``difference.describe_difference``; its
    places named by ``positions``), followed by what ``probe()`` measures (e.g.
    ``difference.dependence``: what the result does not depend on).
    """
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what} has shape {actual.shape}, expected shape {expected.shape}")
    bad_expected = ~np.isfinite(expected) if expected.dtype.kind in "fc" else np.zeros(expected.shape, bool)
    if nonfinite_expected:
        bad_expected = np.zeros(expected.shape, bool)
    if bad_expected.any() and not from_student:
        raise CheckError(f"the expected values of {what} hold {describe_nonfinite(expected, bad_expected)}")
    held = held_precision(actual)
    scale = expected_scale(expected) if scale is None else scale
    needed = looser(reference_dtype or expected.dtype, precision)
    close, error, index, dtype, tol = compare(actual, expected, needed, scale)
    if bad_expected.any():
        # Built from the student's own results: their NaN or inf made these.
        message = (
            f"{what} cannot be checked: the values your code returned make the expected "
            f"values hold {describe_nonfinite(expected, bad_expected)}"
        )
    elif close:
        return
    elif any(count_nonfinite(actual)):
        message = f"{what} holds {describe_nonfinite(actual)}, where finite numbers were expected"
    else:
        why = tolerance_reason(dtype, actual.dtype, held, reference_dtype or expected.dtype, precision)
        message = f"{what} is off by up to {error:.3g} (at index {index}); {tolerance_words(tol, dtype, why)}"
    hint = hint() if callable(hint) else hint
    if not hint and error > tol and not any(count_nonfinite(actual)) and not bad_expected.any():
        # No known mistake matched: say how the values differ, measured, rather than one number.
        measured = [describe_difference(actual, expected, tol, positions), probe() if probe else ""]
        hint = " ".join(part for part in measured if part)
    raise AssertionError(message + (f"\n{hint}" if hint else ""))


def within(value: SupportsFloat, bound: float) -> bool:
    """``|value| <= bound``, and False for NaN or inf (a bound check that NaN cannot pass)."""
    value = float(value)
    return bool(np.isfinite(value) and abs(value) <= bound)


def finite_statistics(values: np.ndarray, what: str, from_student: bool = True) -> np.ndarray:
    """``values`` as float64, refused when not finite (before any mean or variance is taken).

    ``from_student``: the values came (even partly) from the student's results, so
    NaN or inf in them fails the check; otherwise it is the check's own error.
    """
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        if not from_student:
            raise CheckError(f"{what} holds {describe_nonfinite(values)} for fixed inputs")
        raise AssertionError(f"{what} holds {describe_nonfinite(values)}, where finite numbers were expected")
    return values


# -- no point without work ------------------------------------------------------------------


def real_answer(  # noqa: PLR0911 - one return per kind
    actual: object, expected: Any, precision: DTypeLike | None = None, scale: Any = None
) -> str:
    """'' when ``actual`` is a right answer for its input, else what is not right (for a message).

    ``expected`` is the right answer for the same input: the reference's (after
    the same seed), or the one the spec gives. Arrays are compared as
    ``assert_close`` compares them (``precision``: the inputs' dtype; ``scale``:
    the size of the expected values, by default their largest magnitude), numbers
    as numbers of ``precision`` (relative above 1), tuples item by item (a list
    of the same items counts as the tuple: the type is its own check's business).
    """
    parts = expected if isinstance(expected, tuple) else None
    if parts is not None:
        if not isinstance(actual, (tuple, list)) or len(actual) != len(parts):
            return f"{describe(actual)} instead of a tuple of {len(expected)}"
        scales = scale if isinstance(scale, (tuple, list)) else [scale] * len(expected)
        for index, (item, wanted, size) in enumerate(zip(actual, expected, scales, strict=True)):
            problem = real_answer(item, wanted, precision, size)
            if problem:
                return f"item {index} is {problem}"
        return ""
    if isinstance(expected, np.ndarray):
        if not isinstance(actual, np.ndarray) or actual.dtype.kind not in "fiub":
            return describe(actual)
        if actual.shape != expected.shape:
            return f"of shape {actual.shape}, not {expected.shape}"
        size = expected_scale(expected) if scale is None else scale
        close, error, _, _, tol = compare(actual, expected, looser(expected.dtype, precision), size)
        return "" if close else f"off by {error:.3g} (tolerance {tol:.2g})"
    if isinstance(actual, bool) or not isinstance(actual, (int, float, np.integer, np.floating)):
        return describe(actual)
    size = abs(float(expected)) if scale is None else scale
    error = abs(float(actual) - float(expected))
    tol = tolerance(precision or np.float64, size)
    return "" if error <= tol else f"off by {error:.3g} (tolerance {tol:.2g})"


def expect_real_answer(
    actual: object,
    expected: Any,
    function: str,
    where: str,
    precision: DTypeLike | None = None,
    scale: Any = None,
) -> None:
    """A check of a property (inputs untouched, dtype, shape, a limit, a range) pays only for a right answer.

    Call it on the result of every call such a check makes, with the right answer
    for that input: a property of a wrong or empty answer (None, zeros, the input
    itself) is not evidence of work. A check whose input has a trivial right answer
    (a level where the result is the input, an empty list) also calls the function
    on an input whose answer is not trivial, and gates that call too.
    """
    problem = real_answer(actual, expected, precision, scale)
    if problem:
        raise AssertionError(
            f"{function} {where} returned {problem}, not the right result: this check pays only "
            f"when the result is right too (the checks of its values say what differs)"
        )
