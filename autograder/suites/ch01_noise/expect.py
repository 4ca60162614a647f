"""What the noise functions must return, each rule checked in one place, in words for students.

A rule (a Python float, a tuple of float64 arrays) is graded by its own check;
the checks of values accept any number or array, so one slip costs points once.
NaN and infinity never pass: every comparison below is written so that they fail.
"""

from __future__ import annotations

import math

import numpy as np

from autograder.checks import describe, expect_array, tolerance, tolerance_words
from autograder.difference import describe_difference


def quiet_numpy():
    """NumPy's warnings off while a check computes with what a student returned (inf, NaN, zeros)."""
    return np.errstate(all="ignore")


def expect_python_float(value, what: str) -> float:
    """``value`` is a Python float (np.float64 is one), not an array, a float32 or an int."""
    if isinstance(value, bool) or not isinstance(value, float):
        raise AssertionError(f"{what} should be a Python float, but it is {describe(value)}{_float_advice(value)}")
    return float(value)


def _float_advice(value) -> str:
    """How to turn what was returned into a Python float."""
    kind = f"a NumPy {value.dtype}" if isinstance(value, np.generic) else "an int" if type(value) is int else ""
    if kind:
        return f"; {kind} is not a Python float, float(...) of it is"
    return "; return float(...) of the number instead of an array" if isinstance(value, np.ndarray) else ""


def as_number(value, what: str) -> float:
    """The number in ``value`` (a float, an int, a NumPy scalar or a one-element array), finite."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
        value = value.reshape(-1)[0]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise AssertionError(f"{what} should be a number, but it is {describe(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise AssertionError(f"{what} is {number}; it should be a finite number")
    return number


def numbers(value, count: int, what: str) -> tuple[float, ...]:
    """A tuple (or list) of ``count`` numbers."""
    if not isinstance(value, (tuple, list)) or len(value) != count:
        raise AssertionError(f"{what} should be a tuple of {count} numbers, but it is {describe(value)}")
    return tuple(as_number(item, f"item {i} of {what}") for i, item in enumerate(value))


def close_number(actual: float, expected: float, what: str, scale=None, precision=np.float64, hint="") -> None:
    """``actual`` is within the tolerance of ``precision`` (absolute up to 1, relative above) of ``expected``."""
    scale = abs(expected) if scale is None else scale
    tol = tolerance(precision, scale)
    error = abs(actual - expected)
    if error <= tol:
        return
    if not (hint() if callable(hint) else hint):
        # No known mistake matched: say which way the number is off, and by how many times.
        hint = describe_difference(np.asarray(actual), np.asarray(expected), tol)
    raise AssertionError(
        with_hint(f"{what} is off by {error:.3g}; {tolerance_words(tol, precision, _why(precision))}", hint)
    )


def _why(precision) -> str:
    """Why a number is compared at ``precision``: a Python float is float64, so a looser one comes from the inputs."""
    name = np.dtype(precision).name
    return f"the inputs were {name}" if np.dtype(precision) != np.float64 else "a Python float is float64"


def with_hint(message: str, hint) -> str:
    """``message``, then the hint's line (``hint`` is a string or a callable giving one) when there is one."""
    line = hint() if callable(hint) else hint
    return f"{message}\n{line}" if line else message


def expect_two_arrays(value, what: str, shape, hint="") -> tuple[np.ndarray, np.ndarray]:
    """Two real arrays of ``shape`` without NaN, in a tuple or a list (the tuple is graded elsewhere)."""
    pair = value if isinstance(value, (tuple, list)) else ()
    if len(pair) != 2:
        raise AssertionError(f"{what} should return two arrays (z1, z2), but it returned {describe(value)}")
    try:
        return tuple(expect_array(v, f"{name} of {what}", shape) for v, name in zip(pair, ("z1", "z2"), strict=True))
    except AssertionError as failed:
        raise AssertionError(with_hint(str(failed), hint)) from None


def sample_moments(values) -> tuple[float, float, float, float]:
    """Mean, variance, skewness and excess kurtosis of a sample, computed here in float64."""
    z = np.asarray(values, dtype=np.float64).ravel()
    with quiet_numpy():
        mean = z.mean()
        centred = z - mean
        # Products, not powers: NumPy computes x ** 3 and x ** 4 with pow() element by element,
        # tens of times slower on the half million values of a sample (x ** 2 is x * x already).
        squares = centred * centred
        c2 = np.mean(squares)
        return (
            float(mean),
            float(c2),
            float(np.mean(squares * centred) / c2**1.5),
            float(np.mean(squares * squares) / c2**2 - 3),
        )


def correlation(a, b) -> float:
    """Pearson correlation of two samples (NaN when either is constant or not finite)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    with quiet_numpy():
        a, b = a - a.mean(), b - b.mean()
        return float(np.mean(a * b) / np.sqrt(np.mean(a * a) * np.mean(b * b)))


def within(value: float, target: float, bound: float) -> bool:
    """``|value - target| <= bound``, and False for NaN."""
    return bool(abs(value - target) <= bound)


def normal_sample_report(z, n_label: str) -> str | None:
    """What is wrong with a sample that should be standard normal, or None.

    Bounds are six standard errors of each statistic for a standard normal
    sample of this size (mean 1/sqrt(n), variance sqrt(2/n), skewness
    sqrt(6/n), excess kurtosis sqrt(24/n)); a correct sample lies outside one
    of them less than once in 1e8 tries.
    """
    n = np.size(z)
    stats = sample_moments(z)
    bounds = (6 / math.sqrt(n), 6 * math.sqrt(2 / n), 6 * math.sqrt(6 / n), 6 * math.sqrt(24 / n))
    targets = (0.0, 1.0, 0.0, 0.0)
    names = ("mean", "variance", "skewness", "excess kurtosis")
    wrong = [
        f"{name} {value:.4g} (allowed {target:g} +- {bound:.3g})"
        for name, value, target, bound in zip(names, stats, targets, bounds, strict=True)
        if not within(value, target, bound)
    ]
    if not wrong:
        return None
    return (
        f"{n_label} ({n} values) does not look standard normal: " + ", ".join(wrong) + ". The bounds are six "
        "standard errors, so a correct transform fails them with probability below 1e-8"
    )
