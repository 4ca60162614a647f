"""Hidden checks of fit_gaussian(x) -> (mean, cov)."""

import numpy as np
import pytest

from autograder.checks import assert_close, describe
from autograder.suites.ch01_reverse import misconceptions as known
from autograder.suites.ch01_reverse.data import patches
from autograder.suites.ch01_reverse.expect import close, expect_untouched, float64_array

pytestmark = pytest.mark.task("fit_gaussian")


def fitted(submission, x):
    """The student's (mean, cov) of ``x``, checked for shape and dtype."""
    result = submission.call("fit_gaussian", x).result
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise AssertionError(f"fit_gaussian should return a tuple (mean, cov), but it returned {describe(result)}")
    N, D = x.shape
    what = f"of fit_gaussian for x of shape ({N}, {D})"
    return float64_array(result[0], f"the mean {what}", (D,)), float64_array(result[1], f"the cov {what}", (D, D))


def compare(submission, reference, x, label):
    mean, cov = fitted(submission, x)
    want_mean, want_cov = reference.fit_gaussian(x)
    scale = float(np.max(np.abs(x))) ** 2
    close(mean, want_mean, f"the mean of {label}", scale=float(np.max(np.abs(x))))
    hint = known.hint(cov, known.gaussian_variants(x), want_cov)
    close(cov, want_cov, f"the covariance of {label}", scale=scale, hint=hint)


@pytest.mark.points(3)
@pytest.mark.parametrize("size", [2, 3])
def test_mean_and_population_covariance(submission, reference, size):
    """the mean of the rows and their covariance divided by N, for the patches of a picture."""
    x = patches(seed=1, size=size)
    compare(submission, reference, x, f"{x.shape[0]} patches of {x.shape[1]} values")


@pytest.mark.points(2)
def test_known_values(submission):
    """three points worked out by hand: mean (1, 2), covariance [[2/3, 4/3], [4/3, 8/3]] (divided by N = 3)."""
    x = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]])
    mean, cov = fitted(submission, x)
    close(mean, np.array([1.0, 2.0]), "the mean of [[0, 0], [1, 2], [2, 4]]", scale=4.0)
    wanted = np.array([[2.0, 4.0], [4.0, 8.0]]) / 3
    hint = known.hint(cov, known.gaussian_variants(x), wanted)
    close(cov, wanted, "the covariance of [[0, 0], [1, 2], [2, 4]]", scale=16.0, hint=hint)


@pytest.mark.points(1)
def test_one_row_has_zero_covariance(submission):
    """a single row is its own mean, with a covariance of zeros (dividing by N = 1, never by 0)."""
    x = patches(seed=2)[:1]
    mean, cov = fitted(submission, x)
    close(mean, x[0], "the mean of one row", scale=1.0)
    close(cov, np.zeros((x.shape[1],) * 2), "the covariance of one row", scale=1.0)


@pytest.mark.points(1)
def test_float32_rows_give_float64(submission, reference):
    """float32 rows give a float64 mean and covariance, within float32's precision of the exact ones."""
    x32 = patches(seed=3).astype(np.float32)
    mean, cov = fitted(submission, x32)
    want_mean, want_cov = reference.fit_gaussian(x32.astype(np.float64))
    # float32 inputs: 1000 units in float32's last place, about 1.2e-4 of the values' size.
    assert_close(mean, want_mean, "the mean of float32 rows", precision=np.float32, scale=1.0)
    assert_close(cov, want_cov, "the covariance of float32 rows", precision=np.float32, scale=1.0)


@pytest.mark.points(1)
def test_leaves_x_untouched(submission):
    """x is not modified."""
    expect_untouched(submission, "fit_gaussian", (patches(seed=4),))
