"""Assertions for grading suites: shapes, dtypes, closeness, with messages for students.

Every message states what was measured (shapes, dtypes, error sizes) and never
the expected values themselves. Tolerances come from the dtype of the student's
result: ``ULPS`` units in the last place of that dtype, times the size of the
numbers involved.
"""

from __future__ import annotations

import numpy as np

from autograder.sandbox.wire import Unsupported

ULPS = 1000  # float64: about 2e-13; float32: about 1.2e-4 (relative)


def tolerance(dtype, scale: float = 1.0) -> float:
    """Absolute tolerance for results of ``dtype`` whose magnitudes are about ``scale``."""
    dtype = np.dtype(dtype)
    eps = np.finfo(dtype).eps if dtype.kind in "fc" else np.finfo(np.float64).eps
    return float(ULPS * eps * max(1.0, scale))


def describe(value) -> str:
    """A short description of a returned value: its type, shape and dtype."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} ({', '.join(describe(v) for v in value[:3])})"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return f"a {type(value).__name__}"


def expect_array(value, what: str, shape=None) -> np.ndarray:
    """``value`` must be a real-valued ndarray without NaN (of ``shape`` if given)."""
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{what} should be a NumPy array, but it is {describe(value)}")
    if value.dtype.kind not in "fiu" and value.dtype.kind != "b":
        raise AssertionError(f"{what} should hold real numbers, but its dtype is {value.dtype}")
    if shape is not None and value.shape != tuple(shape):
        raise AssertionError(f"{what} should have shape {tuple(shape)}, but it has shape {value.shape}")
    # Every comparison with NaN is False, so a check written as "fail if off by
    # more than..." would pass it: NaN fails here, before any such check.
    nans = int(np.count_nonzero(np.isnan(value))) if value.dtype.kind == "f" else 0
    if nans:
        raise AssertionError(f"{what} holds NaN in {nans} of {value.size} places")
    return value


def expect_pair(value, function: str, names, shape) -> tuple[np.ndarray, np.ndarray]:
    """``value`` must be a tuple of two arrays of ``shape`` (e.g. ``(xt, eps)``)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise AssertionError(
            f"{function} should return two arrays ({', '.join(names)}), but it returned {describe(value)}"
        )
    return tuple(expect_array(v, f"{name} returned by {function}", shape) for v, name in zip(value, names, strict=True))


def error_size(actual: np.ndarray, expected: np.ndarray) -> tuple[float, tuple]:
    """Largest absolute difference and where it is (NaN counts as infinitely far)."""
    diff = np.abs(np.asarray(actual, dtype=np.float64) - np.asarray(expected, dtype=np.float64))
    diff = np.where(np.isnan(diff), np.inf, diff)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    return (float(diff[index]) if diff.size else 0.0), tuple(int(i) for i in index)


def is_close(actual, expected, scale=None) -> bool:
    """Whether ``actual`` matches ``expected`` within the tolerance for ``actual``'s dtype."""
    if not isinstance(actual, np.ndarray) or np.shape(actual) != np.shape(expected):
        return False
    if scale is None:
        scale = float(np.max(np.abs(expected))) if np.size(expected) else 1.0
    return error_size(actual, expected)[0] <= tolerance(actual.dtype, scale)


def assert_close(actual: np.ndarray, expected, what: str, scale=None, hint="", precision=None) -> None:
    """Fail with the largest error, its place and the tolerance used when they differ.

    ``precision`` is the dtype of the inputs when they are less precise than the
    result (float32 inputs limit a float64 result to float32 accuracy).
    ``hint`` is a string, or a callable giving one, added to the failure message.
    """
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what} has shape {actual.shape}, expected shape {expected.shape}")
    nans = int(np.count_nonzero(np.isnan(actual))) if actual.dtype.kind == "f" else 0
    if scale is None:
        scale = float(np.max(np.abs(expected))) if expected.size else 1.0
    dtype = actual.dtype
    if precision is not None and tolerance(precision) > tolerance(dtype):
        dtype = np.dtype(precision)
    tol = tolerance(dtype, scale)
    error, index = error_size(actual, expected)
    if error <= tol:
        return
    if nans:
        message = f"{what} contains NaN in {nans} of {actual.size} places"
    else:
        message = f"{what} is off by up to {error:.3g} (at index {index}); the tolerance for {dtype} is {tol:.2g}"
    hint = hint() if callable(hint) else hint
    raise AssertionError(message + (f"\n{hint}" if hint else ""))
