"""Public tests for Chapter 1, Part 2. Run them with `make test` (or `pytest` in this folder).

They check the basics of each function on small inputs worked out by hand. The
grader runs hidden checks too: passing these is a good sign, not a guarantee.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_real_answer, is_close
from autograder.interface import NotImplementedYet, SubmissionDidNotImport


@pytest.mark.task("uniform_to_normal")
@pytest.mark.points(2)
def test_uniform_to_normal_on_points_of_the_circle(submission):
    """u1 = exp(-1/2) gives radius 1, and u2 turns it round the circle: (1, 0), (0, 1), (-1, 0); u1 = 1 gives 0."""
    u1 = np.array([np.exp(-0.5), np.exp(-0.5), np.exp(-0.5), 1.0])
    u2 = np.array([0.0, 0.25, 0.5, 0.3])
    result = submission.uniform_to_normal(u1, u2)
    assert isinstance(result, tuple) and len(result) == 2, "uniform_to_normal should return a tuple (z1, z2)"
    z1, z2 = result
    assert z1.dtype == np.float64 and z2.dtype == np.float64, "z1 and z2 should be float64 arrays"
    assert_close(z1, np.array([1.0, 0.0, -1.0, 0.0]), "z1 compared with r cos(2 pi u2)")
    assert_close(z2, np.array([0.0, 1.0, 0.0, 0.0]), "z2 compared with r sin(2 pi u2)")


@pytest.mark.task("gaussian_noise")
@pytest.mark.points(2)
def test_gaussian_noise_is_made_from_seeded_uniforms(submission):
    """after np.random.seed(3), gaussian_noise(4, 5) is z1 of u1 = 1 - rand(4, 5), then u2 = rand(4, 5)."""
    submission.seed(3)
    z = submission.gaussian_noise(4, 5)
    assert isinstance(z, np.ndarray) and z.shape == (4, 5), "gaussian_noise(4, 5) should be an array of shape (4, 5)"
    assert z.dtype == np.float64, f"gaussian_noise should return float64, not {z.dtype}"
    rng = np.random.RandomState(3)
    u1 = 1 - rng.rand(4, 5)
    u2 = rng.rand(4, 5)
    # This test is about the draws: values that are your own uniform_to_normal of the right
    # uniforms pass here, and the transform itself is tested above.
    own = _own_z1(submission, u1, u2)
    if not (np.array_equal(z, own, equal_nan=True) or is_close(z, own)):
        assert_close(
            z, np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2), "gaussian_noise(4, 5) after np.random.seed(3)"
        )


def _own_z1(submission, u1, u2):
    try:
        z1 = np.asarray(submission.uniform_to_normal(u1, u2)[0], dtype=np.float64)
    except Exception:  # noqa: BLE001 - an unfinished transform only means there is nothing to compare with
        return None
    # A transform giving the same number for different uniforms says nothing about the draws.
    finite = z1[np.isfinite(z1)]
    return z1 if z1.shape == u1.shape and np.unique(finite).size == finite.size else None


@pytest.mark.task("moments")
@pytest.mark.points(2)
def test_moments_of_one_to_five(submission):
    """moments of [1, 2, 3, 4, 5] are mean 3, variance 2, skewness 0 and excess kurtosis -1.3."""
    result = submission.moments(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert isinstance(result, tuple) and len(result) == 4, "moments should return a tuple of four floats"
    assert all(isinstance(value, float) for value in result), "each of the four moments should be a Python float"
    assert result == pytest.approx((3.0, 2.0, 0.0, -1.3), abs=1e-12), f"got {result}"


@pytest.mark.task("moments")
@pytest.mark.points(1)
def test_moments_refuse_data_without_spread(submission):
    """all-equal data raises ValueError: 8 values of 2.5, and 10 of 0.3, whose np.var is about 3e-33, not 0."""
    for x in (np.full(8, 2.5), np.full(10, 0.3)):
        outcome = _refusal(lambda: submission.moments(x))  # noqa: B023 - called at once
        if outcome is not None:
            variance = np.var(x)
            raise AssertionError(
                f"moments of {x.size} values all equal to {x[0]:g} should raise ValueError (all values are "
                f"equal, so skewness and kurtosis are 0 / 0), but {outcome}. Here np.var(x) is {variance:.2g}, "
                "not 0: test whether the values are all equal (np.all(x == x.flat[0])), not whether the "
                "computed variance is 0"
            )
    # Refusing is easy for code that refuses everything: this pays only beside right moments of spread data.
    spread = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    expect_real_answer(submission.moments(spread), (3.0, 2.0, 0.0, -1.3), "moments", "of [1, 2, 3, 4, 5]")


def _refusal(call):
    """None when ``call()`` raises ValueError (or a subclass of it); otherwise what happened instead."""
    try:
        result = call()
    except (NotImplementedError, NotImplementedYet, SubmissionDidNotImport):
        raise
    except Exception as error:  # noqa: BLE001 - the grader names what student code raised in `raised`
        raised = getattr(error, "raised", None) or [kind.__name__ for kind in type(error).__mro__]
        if "ValueError" in raised:
            return None
        return f"it raised {error}"
    return f"it returned {result!r}"


@pytest.mark.task("combined_std")
@pytest.mark.points(2)
def test_combined_std_of_three_and_four(submission):
    """noises of standard deviation 3 and 4 add up to one of standard deviation 5; no noise has 0.0."""
    five = submission.combined_std([3.0, 4.0])
    assert isinstance(five, float), f"combined_std should return a Python float, not {type(five).__name__}"
    assert five == pytest.approx(5.0, abs=1e-12), f"combined_std([3.0, 4.0]) should be 5, got {five}"
    none = submission.combined_std([])
    assert isinstance(none, float) and none == 0.0, f"combined_std([]) should be the float 0.0, got {none!r}"


@pytest.mark.task("merge_betas")
@pytest.mark.points(2)
def test_merge_two_half_steps(submission):
    """two steps with beta 0.5 each keep a quarter of the image's variance: one step with beta 0.75."""
    merged = submission.merge_betas([0.5, 0.5])
    assert isinstance(merged, float), f"merge_betas should return a Python float, not {type(merged).__name__}"
    assert merged == pytest.approx(0.75, abs=1e-12), f"merge_betas([0.5, 0.5]) should be 0.75, got {merged}"
    none = submission.merge_betas([])
    assert isinstance(none, float) and none == 0.0, f"merge_betas([]) should be the float 0.0, got {none!r}"
