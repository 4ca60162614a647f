"""The "inputs are not modified" checks: they judge modification, and pay only for a real answer."""

import numpy as np

from autograder.suites.ch01_forward.data import image


def expect_untouched(submission, function: str, names, args, *, real, seed=None, watched=None, when="") -> None:
    """Call ``function(*args)`` and fail if an array argument (of ``watched`` names, default all) differs afterwards.

    ``when`` says which of several calls of one check it was (" with a (B,) array of levels").
    ``real(result)`` raises unless the call returned a real answer (``suites/ch01_forward/real.py``):
    leaving the inputs alone is worth nothing for a function that computes nothing.
    """
    if seed is not None:
        submission.seed(seed)
    reply = submission.call(function, *args, return_args=True)
    changed = []
    for name, before, after in zip(names, args, reply.args_after, strict=False):
        if not isinstance(before, np.ndarray) or (watched is not None and name not in watched):
            continue
        same = (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and after.dtype == before.dtype
            and np.array_equal(after, before, equal_nan=True)
        )
        if not same:
            changed.append(name)
    if changed:
        what = " and ".join(changed)
        raise AssertionError(
            f"{function} changed the {what} it was given{when} (in place); work on new arrays instead, "
            f"e.g. y = a * {changed[0]} rather than {changed[0]} *= a"
        )
    real(reply.result)


def untouched_cases(dtype, seed: int, levels: np.ndarray, level: float, name: str):
    """(image, level, when) for the calls that must leave an image untouched: a batch with one
    level for all, a 2-D (grayscale) image, and a batch with a (B,) array of ``name``."""
    batch = image((len(levels), 6, 6, 3), seed=seed, dtype=dtype)
    return [
        (batch, level, ""),
        (image((12, 12), seed=seed, dtype=dtype), level, " as a 2-D image"),
        (batch, levels, f" with a (B,) array of {name}"),
    ]


def expect_new_arrays(reply, function: str, names) -> None:
    """What ``function`` returned is new memory, not one of its inputs (``names`` the arguments, in order)."""
    given = [names[key] if isinstance(key, int) and key < len(names) else str(key) for key in reply.aliased]
    if given:
        raise AssertionError(
            f"{function} returned the {' and '.join(given)} it was given itself, not a new array: "
            f"whoever changes the result then changes their {given[0]} too; return a new array "
            f"(e.g. {given[0]}.copy())"
        )
