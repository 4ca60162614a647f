"""Hidden checks of moments(x) -> (mean, variance, skewness, excess_kurtosis)."""

import numpy as np
import pytest

from autograder.checks import describe, expect_real_answer
from autograder.interface import NotImplementedYet, StudentError, SubmissionDidNotImport
from autograder.suites.ch01_noise import misconceptions as known
from autograder.suites.ch01_noise.data import data
from autograder.suites.ch01_noise.expect import close_number, expect_python_float, numbers

pytestmark = pytest.mark.task("moments")

NAMES = ("mean", "variance", "skewness", "excess kurtosis")


def measured(submission, x, return_args=False):
    reply = submission.call("moments", x, return_args=return_args)
    per_axis = known.per_axis_message(reply.result)
    if per_axis:
        raise AssertionError(f"for {x.dtype} data of shape {x.shape}, {per_axis}")
    return numbers(reply.result, 4, f"moments of {x.dtype} data of shape {x.shape}"), reply


def scales(x):
    """How large each moment's rounding errors can be: the data's size, in its own units, to the k-th power.

    Two correct ways of summing (pairwise, in order, raw moments instead of
    centred ones) differ by about eps times these.
    """
    x = np.asarray(x, np.float64)
    big = float(np.max(np.abs(x)))
    spread = big / float(np.std(x))
    return big, big**2, spread**3, spread**4


def compare(submission, reference, x, where):
    result, reply = measured(submission, x)
    expected = reference.moments(x)
    # Moments of float32 data may be computed in float32: the float32 tolerance applies.
    precision = np.float32 if x.dtype == np.float32 else np.float64
    for name, actual, wanted, scale in zip(NAMES, result, expected, scales(x), strict=True):
        close_number(
            actual,
            wanted,
            f"the {name} of {where}",
            scale=scale,
            precision=precision,
            hint=lambda: known.diagnose_moments(x, reply.result, expected, precision),
        )


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_returns_four_python_floats(submission, reference, dtype):
    """returns a tuple of four Python floats, for float64 and float32 data of any shape."""
    for shape in ((1000,), (10, 20, 5)):
        x = data(shape, seed=1, dtype=dtype)
        result = submission.call("moments", x).result
        what = f"moments of {np.dtype(dtype)} data of shape {shape}"
        per_axis = known.per_axis_message(result)
        if per_axis:
            raise AssertionError(f"for {np.dtype(dtype)} data of shape {shape}, {per_axis}")
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            raise AssertionError(f"{what} should be a tuple of four floats, but it is {describe(result)}")
        for name, value in zip(NAMES, result, strict=True):
            expect_python_float(value, f"the {name} in {what}")
        real_moments(result, x, reference, f"of {np.dtype(dtype)} data of shape {shape}")


def real_moments(result, x, reference, where):
    """moments(x) returned the reference's four numbers (each within its rounding scale)."""
    precision = np.float32 if x.dtype == np.float32 else np.float64
    expect_real_answer(tuple(result), reference.moments(x), "moments", where, precision=precision, scale=scales(x))


@pytest.mark.points(3)
@pytest.mark.parametrize("shape", [(200_000,), (10, 20, 5), (7,)])  # a large input may take another path
def test_matches_the_population_formulas(submission, reference, shape):
    """mean, c_2, c_3 / c_2 ** 1.5 and c_4 / c_2 ** 2 - 3 over all elements, as the reference computes them."""
    for seed in (2, 3):
        compare(submission, reference, data(shape, seed=seed), f"data of shape {shape}")


@pytest.mark.points(2)
def test_known_values(submission):
    """gives the exact moments of small data sets worked out by hand."""
    cases = [
        (np.array([1.0, 2.0, 3.0, 4.0, 5.0]), (3.0, 2.0, 0.0, -1.3)),
        (np.array([-1.0, 1.0, -1.0, 1.0]), (0.0, 1.0, 0.0, -2.0)),
        (np.array([[0.0, 0.0], [0.0, 4.0]]), (1.0, 3.0, 2 / np.sqrt(3), -2 / 3)),
    ]
    for x, expected in cases:
        result, reply = measured(submission, x)
        for name, actual, wanted in zip(NAMES, result, expected, strict=True):
            close_number(
                actual,
                wanted,
                f"the {name} of {x.tolist()}",
                scale=8.0,
                hint=lambda: known.diagnose_moments(x, reply.result, expected),  # noqa: B023 - used at once
            )


@pytest.mark.points(2)
def test_shift_scale_and_flip(submission):
    """moments of a * x + b: mean a m + b, variance a ** 2 v, skewness sign(a) s, kurtosis unchanged."""
    x = data((2000,), seed=4)
    base, _ = measured(submission, x)
    # A tiny spread is valid data too: only an exactly zero variance is refused.
    for a, b in ((3.0, -2.0), (-0.5, 10.0), (1e-6, 0.0)):
        moved, _ = measured(submission, a * x + b)
        expected = (a * base[0] + b, a**2 * base[1], np.sign(a) * base[2], base[3])
        for name, actual, wanted, scale in zip(NAMES, moved, expected, scales(a * x + b), strict=True):
            close_number(
                actual,
                wanted,
                f"the {name} of {a:g} * x + {b:g}, compared with what your moments(x) implies",
                scale=scale,
            )


@pytest.mark.points(1)
def test_float32_data_within_float32_tolerance(submission, reference):
    """float32 data is accepted, and its moments match within the float32 tolerance."""
    compare(submission, reference, data((1000,), seed=5, dtype=np.float32), "float32 data of shape (1000,)")


@pytest.mark.points(1)
def test_raises_value_error_for_zero_variance(submission, reference):
    """empty and all-equal data (zero variance, a single value included) raises ValueError, as the docstring says."""
    # Raising for everything would pass the rest: the function must give the right moments of data that has them.
    x = data((100,), seed=7)
    real_moments(submission.call("moments", x).result, x, reference, "of data of shape (100,)")
    # 0.3 has no exact binary mean: np.var of ten of them is about 3e-33, not 0, yet the values are all equal.
    for x in (np.zeros((4, 4)), np.full(8, 2.5), np.array([3.0]), np.full(10, 0.3), np.array([])):
        try:
            result = submission.call("moments", x).result
        except (NotImplementedYet, SubmissionDidNotImport):
            raise
        except StudentError as refused:
            if "ValueError" in refused.raised:  # a subclass of it (statistics.StatisticsError) is one
                continue
            raise AssertionError(
                f"moments of all-equal data {x.ravel()[:4].tolist()}... (shape {x.shape}) should raise "
                f"ValueError (the variance is 0, so skewness and kurtosis are 0 / 0), but: {refused}"
            ) from None
        raise AssertionError(_not_refused(x, result))


@pytest.mark.points(1)
def test_leaves_x_untouched(submission, reference):
    """x is not modified."""
    for shape in ((50, 4), (200,)):  # code may take another path for 1-D data
        x = data(shape, seed=6)
        reply = submission.call("moments", x.copy(), return_args=True)
        after = reply.args_after[0] if reply.args_after else None
        if not (isinstance(after, np.ndarray) and np.array_equal(after, x)):
            raise AssertionError(f"moments changed the x it was given (of shape {shape}); work on a new array instead")
        real_moments(reply.result, x, reference, f"of data of shape {shape}")


def _not_refused(x, result) -> str:
    """Why data with no spread had to be refused, from what was measured: the values and the variance returned."""
    if x.size == 0:
        return (
            f"moments of empty data returned {describe(result)}; it should raise ValueError: "
            "with no values there is no mean, and no variance to divide by"
        )
    why = (
        f"moments of all-equal data of shape {x.shape} (every value {x.flat[0]:g}) returned {describe(result)}; "
        f"it should raise ValueError: all {x.size} values are equal, so the true variance is 0 and skewness "
        "and kurtosis are 0 / 0"
    )
    variance = result[1] if isinstance(result, (tuple, list)) and len(result) == 4 else None
    if isinstance(variance, (int, float, np.floating)) and not isinstance(variance, bool):
        if variance != 0:
            return (
                f"{why}. The variance you returned is {float(variance):.2g}, not 0: computed in floating point, "
                "the variance of equal values can come out as a tiny number, so test whether the values are all "
                "equal (np.all(x == x.flat[0])) rather than whether the computed variance is 0"
            )
        return f"{why}. The variance you returned is 0, yet no ValueError was raised"
    return why
