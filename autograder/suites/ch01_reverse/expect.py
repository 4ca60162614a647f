"""Shared steps of the reverse-process checks: calling, checking the shape, comparing, "untouched"."""

from __future__ import annotations

import numpy as np

from autograder.checks import assert_close, expect_array

NAMES = {
    "extract_patches": ("image", "size"),
    "fit_gaussian": ("x",),
    "predict_noise": ("xt", "alpha_bar_t", "mean", "cov"),
    "reverse_step": ("xt", "t", "eps_hat", "alpha_bar", "z"),
    "generate": ("n", "mean", "cov", "alpha_bar"),
}


def float64_array(value, what: str, shape) -> np.ndarray:
    """A float64 array of ``shape`` without NaN or inf (the spec returns float64 everywhere)."""
    result = expect_array(value, what, shape)
    if result.dtype != np.float64:
        raise AssertionError(
            f"{what} should be float64, but its dtype is {result.dtype}; convert with np.asarray(..., dtype=np.float64)"
        )
    return result


def close(actual, expected, what: str, scale: float, hint="") -> None:
    """float64 comparison with the tolerance of 1000 float64 ulps times ``scale`` (stated on failure)."""
    assert_close(actual, expected, what, scale=scale, precision=np.float64, hint=hint)


def expect_untouched(submission, function: str, args, seed=None, when="") -> object:
    """Call ``function(*args)``; fail if an array argument differs afterwards. Returns the reply."""
    if seed is not None:
        submission.seed(seed)
    reply = submission.call(function, *args)
    changed = [
        name
        for name, before, after in zip(NAMES[function], args, reply.args_after, strict=False)
        if isinstance(before, np.ndarray)
        and not (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and after.dtype == before.dtype
            and np.array_equal(after, before, equal_nan=True)
        )
    ]
    if changed:
        raise AssertionError(
            f"{function} changed the {' and '.join(changed)} it was given{when} (in place); work on new arrays "
            f"instead, e.g. y = {changed[0]} - m rather than {changed[0]} -= m"
        )
    return reply


def expect_new_array(reply, function: str, when="") -> None:
    """What ``function`` returned is new memory, not one of its inputs (or a view of one)."""
    names = NAMES[function]
    given = [names[key] if isinstance(key, int) and key < len(names) else str(key) for key in reply.aliased]
    if given:
        raise AssertionError(
            f"{function} returned{when} the {given[0]} it was given itself (or a view of it), not a new array: "
            f"whoever changes the result then changes their {given[0]} too; return a copy"
        )
