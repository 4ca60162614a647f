"""Hidden checks of combined_std(stds) -> the standard deviation of a sum of independent noises."""

import functools

import numpy as np
import pytest

from autograder.checks import expect_real_answer
from autograder.suites.ch01_noise import misconceptions as known
from autograder.suites.ch01_noise.data import stds
from autograder.suites.ch01_noise.expect import as_number, close_number, expect_python_float, within

pytestmark = pytest.mark.task("combined_std")


def combined(submission, given, return_args=False):
    reply = submission.call("combined_std", given, return_args=return_args)
    return as_number(reply.result, f"combined_std of {_shown(given)}"), reply


def _shown(given) -> str:
    if isinstance(given, np.ndarray):
        return f"a {given.dtype} array of shape {given.shape}"
    return str([round(float(s), 4) for s in given]) if len(given) <= 6 else f"a list of {len(given)}"


def compare(submission, reference, given, precision=np.float64):
    result, _ = combined(submission, given)
    expected = reference.combined_std(given)
    close_number(
        result,
        expected,
        f"combined_std of {_shown(given)}",
        precision=precision,
        hint=known.hint(result, known.std_variants(given), expected, precision),
    )


@pytest.mark.points(2)
def test_returns_a_python_float(submission, reference):
    """returns a Python float (never a one-element array), 0.0 for no noises, for lists and arrays."""
    for given in ([], [0.5], [1.0, 2.0], np.array([0.3, 0.4]), np.array([], dtype=np.float64), stds(40, seed=1)):
        reply = submission.call("combined_std", given)
        value = expect_python_float(reply.result, f"combined_std of {_shown(given)}")
        if len(given) == 0 and value != 0.0:
            raise AssertionError(f"combined_std([]) is {value!r}; the sum of no noises is 0, so it should be 0.0")
        expect_real_answer(value, reference.combined_std(given), "combined_std", f"of {_shown(given)}")


@pytest.mark.points(3)
def test_variances_add(submission, reference):
    """matches sqrt(s_1 ** 2 + s_2 ** 2 + ...) for lists and arrays of standard deviations."""
    for given in ([3.0, 4.0], [0.1, 0.2, 0.3], [2.5], stds(7, seed=2), stds(1000, seed=3), stds(20_000, seed=7)):
        compare(submission, reference, given)


@pytest.mark.points(2)
def test_weights_of_add_noise_keep_unit_std(submission, reference):
    """noise weights sqrt(alpha_bar) and sqrt(1 - alpha_bar) of Part 1's add_noise combine to 1 at every level."""
    # 1.0 for everything would pass the rest: the function must be right where the answer is not 1 too.
    given = stds(7, seed=2)
    expect_real_answer(combined(submission, given)[0], reference.combined_std(given), "combined_std", _shown(given))
    for a in (0.999, 0.9, 0.5, 0.1, 1e-4):
        weights = np.array([np.sqrt(a), np.sqrt(1 - a)])
        result, _ = combined(submission, weights)
        close_number(
            result,
            1.0,
            f"combined_std of the weights sqrt({a:g}) and sqrt(1 - {a:g})",
            hint=known.hint(result, known.std_variants(weights), 1.0),
        )


@functools.cache
def simulated_std(given: tuple[float, ...], n: int) -> float:
    """The standard deviation of ``n`` sums of independent normal noises with these standard deviations.

    The same fixed-seed simulation for every submission: made once per process.
    """
    noises = np.random.RandomState(70).randn(n, len(given)) * np.array(given)
    return float(np.std(noises.sum(axis=1)))


@pytest.mark.points(2)
def test_agrees_with_a_simulated_sum(submission):
    """the standard deviation of 200000 simulated sums of independent noises agrees with combined_std."""
    given = np.array([0.3, 1.2, 2.0, 0.05])
    n = 200_000
    measured = simulated_std(tuple(given), n)
    result, _ = combined(submission, given)
    # The sample standard deviation of n normal values has standard error sigma / sqrt(2n).
    bound = 6 * measured / np.sqrt(2 * n)
    if not within(result, measured, bound):
        raise AssertionError(
            f"combined_std of {_shown(given)} is {result:.4f}, but {n} simulated sums of independent noises "
            f"with these standard deviations have standard deviation {measured:.4f} (allowed +- {bound:.4f}, six "
            f"standard errors). {known.message(known.first_match(result, known.std_variants(given)))}".strip()
        )


@pytest.mark.points(1)
def test_float32_within_float32_tolerance(submission, reference):
    """float32 standard deviations are accepted and compared within the float32 tolerance."""
    compare(submission, reference, stds(30, seed=4, dtype=np.float32), precision=np.float32)


@pytest.mark.points(1)
def test_leaves_stds_untouched(submission, reference):
    """the array or list of standard deviations is not modified."""
    for given in (stds(20, seed=5), [float(s) for s in stds(5, seed=5)]):
        reply = submission.call("combined_std", given.copy(), return_args=True)
        after = reply.args_after[0] if reply.args_after else None
        same = isinstance(after, np.ndarray) if isinstance(given, np.ndarray) else isinstance(after, list)
        if not (same and np.array_equal(after, given)):
            raise AssertionError(
                f"combined_std changed the stds it was given (a {type(given).__name__}); work on a new one instead"
            )
        expect_real_answer(reply.result, reference.combined_std(given), "combined_std", f"of {_shown(given)}")
