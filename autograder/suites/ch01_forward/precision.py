"""Results must keep the precision of the inputs they were computed from.

Tolerances follow the dtype of the student's result, so a result cast down (to
float16, say) would be compared with a tolerance wide enough to hide wrong
formulas. Checking the dtype first closes that gap: float64 in gives float64
out, float32 in may give float32 (or float64) out.
"""

import numpy as np


def expect_precision(result: np.ndarray, given, what: str) -> np.ndarray:
    """``result`` holds floats at least as precise as the ``given`` dtype of the inputs."""
    given = np.dtype(given)
    if result.dtype.kind != "f":
        raise AssertionError(f"{what} should hold floats, but its dtype is {result.dtype}")
    if np.finfo(result.dtype).eps > np.finfo(given).eps:
        keep = "float64" if given == np.float64 else f"{given} or float64"
        raise AssertionError(
            f"{what} is {result.dtype}, but the inputs were {given}: casting down "
            f"throws away precision the inputs had; return {keep}"
        )
    return result
