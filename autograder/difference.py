"""The shape of a difference, in a student's words, for mistakes no catalogue lists.

A suite's catalogue of known mistakes names the cause when a result matches one
of them. When none matches, a bare "off by up to 0.4" leaves the student with a
number. This module describes the difference instead: where the result is off
(which places, e.g. "from t = 501 on"), in which direction (too large, too
small, the opposite sign, reversed order, a constant factor or offset), how its
trend differs (the expected values never increase, the result's do), what the
result does not depend on (by calling the code again with one input changed),
and which inputs make the code raise while others work.

Every sentence is measured: each is computed from the arrays at hand (or from a
call made for it) and says only what was found, never a guess. Nothing here
knows an assignment; checks pass names ("t", "alpha_bar_t") as plain words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# A relation (a constant factor, an offset, reversed order) is claimed only when it
# holds at every place within the comparison's own tolerance.
MIN_PLACES_FOR_TREND = 3


@dataclass(frozen=True)
class Positions:
    """How the places of a 1-D result are named: ``label`` = index + ``first`` (e.g. t = 1..T)."""

    label: str = "index"
    first: int = 0

    def name(self, index: int) -> str:
        joint = " " if self.label == "index" else " = "
        return f"{self.label}{joint}{index + self.first}"

    def span(self, start: int, stop: int) -> str:
        """The places start..stop (inclusive) in words."""
        if start == stop:
            return self.name(start)
        return f"{self.name(start)} to {stop + self.first}"


def describe_difference(actual, expected, tol: float, positions: Positions | None = None) -> str:
    """Measured sentences on how ``actual`` differs from ``expected`` (same shape, finite), or ""."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape or not actual.size:
        return ""
    if not (np.all(np.isfinite(actual)) and np.all(np.isfinite(expected))):
        return ""
    positions = positions or Positions()
    with np.errstate(all="ignore"):
        diff = actual - expected
    off = np.abs(diff) > tol
    if not off.any():
        return ""
    relation = _relation(actual, expected, tol)
    if relation:
        return relation
    if actual.size == 1:
        return _one_value(float(actual.ravel()[0]), float(expected.ravel()[0]))
    where = _where_and_direction(actual, expected, diff, off, positions)
    return " ".join(part for part in (where, _trend(actual, expected, tol, positions)) if part)


def _relation(actual: np.ndarray, expected: np.ndarray, tol: float) -> str:  # noqa: PLR0911 - one per relation
    """A relation that holds at every place: opposite sign, reversed order, a constant factor or offset."""
    big = float(np.max(np.abs(expected)))
    if big <= tol or actual.size == 1:
        return ""  # one number: _one_value says it plainly
    if np.all(np.abs(actual + expected) <= tol):
        return "Each of your values is the negative of the expected one: the sign is flipped."
    if actual.ndim == 1 and actual.size > 1:
        backwards = expected[::-1]
        if not np.all(np.abs(backwards - expected) <= tol):
            if np.all(np.abs(actual - backwards) <= tol):
                return "Your values are the expected ones in reverse order: the first is the expected last."
            if np.all(np.abs(actual + backwards) <= tol):
                return "Your values are the expected ones in reverse order and with the opposite sign."
    factor = float(np.dot(actual.ravel(), expected.ravel()) / np.dot(expected.ravel(), expected.ravel()))
    if abs(factor - 1) > 1e-6 and abs(factor) > 1e-6 and np.all(np.abs(actual - factor * expected) <= tol):
        return f"Every one of your values is {factor:.4g} times the expected one."
    offset = float(np.mean(actual - expected))
    if np.all(np.abs(actual - expected - offset) <= tol):
        side = "too large" if offset > 0 else "too small"
        return f"Every one of your values is {side} by the same amount, {abs(offset):.3g}."
    return ""


def _one_value(actual: float, expected: float) -> str:
    """One number: too large or too small, by how much, and how many times the expected one it is."""
    side = "too large" if actual > expected else "too small"
    times = f" ({_ratio(actual / expected)} times the expected value)" if expected else ""
    return f"Your value is {side} by {abs(actual - expected):.3g}{times}."


def _ratio(ratio: float) -> str:
    """``ratio`` with as many digits as it takes not to read as exactly 1 when it is not."""
    for digits in range(4, 16):
        text = f"{ratio:.{digits}g}"
        if float(text) != 1 or ratio == 1:
            return text
    return f"{ratio:.16g}"


def _where_and_direction(
    actual: np.ndarray, expected: np.ndarray, diff: np.ndarray, off: np.ndarray, positions: Positions
) -> str:
    count, size = int(np.count_nonzero(off)), off.size
    high = off & (diff > 0)
    low = off & (diff < 0)
    if actual.ndim == 1:
        where = _places(off, positions)
        if not (high.any() and low.any()):
            parts = ["all too large" if high.any() else "all too small"]
        else:
            parts = [f"{_count(high)} too large{_at(high, positions)}", f"{_count(low)} too small{_at(low, positions)}"]
        sign = _sign_change(actual, expected, off)
        return (
            f"Your values differ from the expected ones at {count} of {size} places ({where}): "
            + " and ".join(parts)
            + "."
            + sign
        )
    sentence = f"Your values differ from the expected ones at {count} of {size} places"
    if actual.ndim > 1 and actual.shape[0] > 1:
        rows = [b for b in range(actual.shape[0]) if off[b].any()]
        if len(rows) < actual.shape[0]:
            sentence += (
                f", all of them in {_items(rows)} along the first axis (of {actual.shape[0]}; the others are right)"
            )
    direction = (
        "all too large"
        if not low.any()
        else "all too small"
        if not high.any()
        else f"{_count(high)} too large and {_count(low)} too small"
    )
    return f"{sentence}: {direction}." + _sign_change(actual, expected, off)


def _sign_change(actual: np.ndarray, expected: np.ndarray, off: np.ndarray) -> str:
    """Where the expected values are all of one sign and yours are not, say how many have the other."""
    for sign, word, other in ((1, "positive", "negative"), (-1, "negative", "positive")):
        if np.all(sign * expected[off] > 0):
            flipped = int(np.count_nonzero(sign * actual[off] < 0))
            if flipped:
                return f" Where they differ the expected values are {word}; {flipped} of yours are {other}."
    return ""


def _trend(actual: np.ndarray, expected: np.ndarray, tol: float, positions: Positions) -> str:
    """For 1-D values: a direction the expected values keep (never rising, never falling) that yours break."""
    if actual.ndim != 1 or actual.size < MIN_PLACES_FOR_TREND:
        return ""
    step, want = np.diff(actual), np.diff(expected)
    for never, verb, breaks in (("increase", "rise", step > tol), ("decrease", "fall", step < -tol)):
        kept = np.all(want <= tol) if never == "increase" else np.all(want >= -tol)
        if not (kept and breaks.any()):
            continue
        first = int(np.flatnonzero(breaks)[0])
        if np.all(breaks[first:]):
            return f"The expected values never {never}; yours {verb} at every step from {positions.name(first)} on."
        count = int(np.count_nonzero(breaks))
        times = "once" if count == 1 else f"at {count} steps, the first"
        return (
            f"The expected values never {never}; yours {verb} {times} from "
            f"{positions.name(first)} to {positions.name(first + 1)}."
        )
    return ""


def _count(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask))


def _at(mask: np.ndarray, positions: Positions) -> str:
    runs = _runs(mask)
    return f" ({_places(mask, positions)})" if len(runs) <= 2 else ""


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The (first, last) indices of each run of True in a 1-D mask."""
    flagged = np.flatnonzero(mask)
    if not flagged.size:
        return []
    breaks = np.flatnonzero(np.diff(flagged) > 1)
    starts = np.concatenate([[flagged[0]], flagged[breaks + 1]])
    stops = np.concatenate([flagged[breaks], [flagged[-1]]])
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def _places(mask: np.ndarray, positions: Positions) -> str:
    """The places a 1-D mask flags: "t = 501 to 1000", "from t = 501 on", or the first and last of many runs."""
    runs = _runs(mask)
    last = mask.size - 1
    if len(runs) > 2:
        first, last_run = positions.name(runs[0][0]), positions.name(runs[-1][1])
        return f"in {len(runs)} separate stretches, first at {first}, last at {last_run}"
    words = []
    for start, stop in runs:
        if stop == last and start > 0:
            words.append(f"from {positions.name(start)} on")
        elif start == 0 and stop < last:
            words.append(f"up to {positions.name(stop)}")
        elif start == 0 and stop == last:
            words.append("everywhere")
        else:
            words.append(positions.span(start, stop))
    return " and ".join(words)


def _items(indices: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in indices[:6])
    return f"item{'s' if len(indices) > 1 else ''} {shown}{', ...' if len(indices) > 6 else ''}"


# -- what a result depends on (calls made for the purpose) --------------------------------------


def dependence(
    student: Callable[..., object],
    reference: Callable[..., object],
    arguments: Sequence[object],
    names: Sequence[str],
    tol: float,
    vary: Sequence[str] | None = None,
) -> str:
    """How the student's result changes when each array argument changes, measured against the reference's.

    Each array argument in turn is replaced by a different array of its shape and
    dtype (a fixed pattern), both functions are called again, and the changes of
    their results compared: "your result does not change when eps changes", or
    "changes 0.707 times as much as it should". Only relations that hold at every
    place within ``tol`` are stated; a call that raises says nothing. ``vary``
    names the arguments to change (default: every array argument); ``reference``
    need only change rightly with those, e.g. the one term that holds them.
    """
    try:
        base_student = np.asarray(student(*arguments), dtype=np.float64)
        base_reference = np.asarray(reference(*arguments), dtype=np.float64)
    except Exception:  # noqa: BLE001 - a probe that cannot run says nothing; the check already failed
        return ""
    sentences = []
    for position, (value, name) in enumerate(zip(arguments, names, strict=True)):
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f" or value.ndim == 0:
            continue
        if vary is not None and name not in vary:
            continue
        changed = list(arguments)
        changed[position] = (value + _pattern(value)).astype(value.dtype)
        try:
            moved_student = np.asarray(student(*changed), dtype=np.float64) - base_student
            moved_reference = np.asarray(reference(*changed), dtype=np.float64) - base_reference
        except Exception:  # noqa: BLE001 - as above
            continue
        sentence = _compare_changes(moved_student, moved_reference, name, tol)
        if sentence:
            sentences.append(sentence)
    return " ".join(sentences)


def _pattern(value: np.ndarray) -> np.ndarray:
    """A fixed change of the size of ``value``'s own values (never zero), the same on every call."""
    size = float(np.max(np.abs(value))) if value.size else 1.0
    return np.random.RandomState(7).uniform(0.25, 0.75, size=value.shape) * max(size, 1.0)


def _compare_changes(student: np.ndarray, reference: np.ndarray, name: str, tol: float) -> str:
    if student.shape != reference.shape or not np.all(np.isfinite(student)) or not np.all(np.isfinite(reference)):
        return ""
    if np.all(np.abs(reference) <= tol):
        return ""  # the right result does not depend on it either: nothing to tell
    if np.all(np.abs(student) <= tol):
        return f"Your result does not change when {name} changes, but it should depend on {name}."
    factor = float(np.dot(student.ravel(), reference.ravel()) / np.dot(reference.ravel(), reference.ravel()))
    if abs(factor - 1) > 1e-6 and np.all(np.abs(student - factor * reference) <= tol * max(1.0, abs(factor))):
        if factor < 0:
            return (
                f"When {name} changes, your result moves the opposite way to the right one "
                f"({abs(factor):.3g} times as far)."
            )
        return f"When {name} changes, your result changes {factor:.3g} times as much as it should."
    return ""


# -- inputs that raise ----------------------------------------------------------------------------

# What a Python or NumPy error says about code that takes one number where an array comes.
ARRAY_ADVICE = (
    (
        ("only length-1 arrays", "only size-1 arrays", "only 0-dimensional", "only integer scalar arrays"),
        "a function that takes one number (math.sqrt, math.cos, float(...), int(...)) was given an array; "
        "NumPy's own functions (np.sqrt, np.cos, ...) and .astype(...) work on every element",
    ),
    (
        ("truth value of an array",),
        "an if, and, or or was given an array of several values; compare element by element instead "
        "(np.where(condition, a, b)), or say which you mean with np.any(...) or np.all(...)",
    ),
    (
        ("could not be broadcast",),
        "two arrays whose shapes do not line up were combined; NumPy pairs axes from the last one back, so "
        "a (B,) array pairs with the last axis: reshape it to (B, 1, 1, ...) to pair it with the first",
    ),
    (
        ("object is not subscriptable", "invalid index to scalar variable", "has no len()"),
        "a single number was indexed or measured as if it were an array; np.asarray(value) or "
        "np.ndim(value) treats both alike",
    ),
)


def error_advice(error_text: str) -> str:
    """What to change, for an error Python or NumPy raises on a number where an array was expected (or back)."""
    for phrases, advice in ARRAY_ADVICE:
        if any(phrase in error_text for phrase in phrases):
            return f"What to change: {advice}."
    return ""


def only_some_inputs_fail(refused: Exception, works: Callable[[], object], working: str, failing: str) -> str:
    """ "With <working> your code works; with <failing> it raises ...", measured by calling ``works``.

    Returns "" when the other call fails too (then the inputs are not what makes the difference).
    """
    try:
        works()
    except Exception:  # noqa: BLE001 - the other input fails too: nothing to contrast
        return ""
    advice = error_advice(str(refused))
    return f"With {working} your code works; with {failing} it raises the error above." + (
        f" {advice}" if advice else ""
    )
