"""The "inputs are not modified" checks: they judge modification and nothing else."""

import numpy as np


def expect_untouched(submission, function: str, names, args, seed=None, watched=None) -> None:
    """Call ``function(*args)`` and fail if an array argument (of ``watched`` names, default all) differs afterwards.

    What the function returned is not looked at: wrong values are other checks'
    business, so one mistake is never charged twice under this check's name.
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
            f"{function} changed the {what} it was given (in place); work on new arrays instead, "
            f"e.g. y = a * {changed[0]} rather than {changed[0]} *= a"
        )
