"""Public tests for Chapter 1, Part 3. Run them with `make check ASSIGNMENT=ch01_reverse` (or `pytest` here).

They check the basics of each function on small inputs worked out by hand. The
grader runs hidden checks too: passing these is a good sign, not a guarantee.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, is_close


@pytest.mark.task("extract_patches")
@pytest.mark.points(2)
def test_patches_of_a_four_by_four_image(submission):
    """a 4 x 4 image of 0..15 gives four 2 x 2 patches, row by row, each flattened row by row."""
    image = np.arange(16).reshape(4, 4)
    patches = submission.extract_patches(image, 2)
    assert isinstance(patches, np.ndarray) and patches.dtype == np.float64, "patches should be a float64 array"
    expected = np.array([[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]], dtype=np.float64)
    assert_close(patches, expected, "extract_patches(np.arange(16).reshape(4, 4), 2)")


@pytest.mark.task("fit_gaussian")
@pytest.mark.points(2)
def test_gaussian_of_four_points(submission):
    """the corners of a square, (+-1, +-1): mean 0 and covariance the identity (divided by N = 4)."""
    x = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    mean, cov = submission.fit_gaussian(x)
    assert_close(mean, np.zeros(2), "the mean")
    assert_close(cov, np.eye(2), "the covariance (population: divided by N)")


@pytest.mark.task("predict_noise")
@pytest.mark.points(2)
def test_noise_guess_for_a_standard_normal_picture(submission):
    """for x0 ~ N(0, I), xt has covariance I at every level, so the guess is sqrt(1 - a) xt."""
    xt = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    for a in (0.0, 0.36, 1.0):
        guess = submission.predict_noise(xt, a, np.zeros(3), np.eye(3))
        assert_close(guess, np.sqrt(1 - a) * xt, f"predict_noise at alpha_bar_t = {a}")


@pytest.mark.task("reverse_step")
@pytest.mark.points(2)
def test_one_step_by_hand(submission):
    """alpha_bar = [1, 0.5, 0.25]: at t = 2, beta = 0.5 and sigma^2 = 1/3; at t = 1 no noise is added."""
    alpha_bar = np.array([1.0, 0.5, 0.25])
    xt, eps_hat, z = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([1.0, 1.0])
    x1 = submission.reverse_step(xt, 2, eps_hat, alpha_bar, z)
    expected = (xt - 0.5 / np.sqrt(0.75) * eps_hat) / np.sqrt(0.5) + np.sqrt(1 / 3) * z
    assert_close(x1, expected, "reverse_step at t = 2")
    x0 = submission.reverse_step(xt, 1, eps_hat, alpha_bar, z)
    assert_close(x0, (xt - 0.5 / np.sqrt(0.5) * eps_hat) / np.sqrt(0.5), "reverse_step at t = 1 (sigma_1 = 0)")


@pytest.mark.task("generate")
@pytest.mark.points(2)
def test_one_step_generation(submission):
    """with T = 1, generate is x_T = randn(n, D) and one step with no noise: seeded, it is reproducible."""
    alpha_bar = np.array([1.0, 0.5])
    mean, cov = np.array([0.5, -0.5]), np.array([[0.5, 0.1], [0.1, 0.3]])
    submission.seed(4)
    samples = submission.generate(3, mean, cov, alpha_bar)
    assert isinstance(samples, np.ndarray) and samples.shape == (3, 2), "generate(3, ...) should have shape (3, 2)"
    x_T = np.random.RandomState(4).randn(3, 2)
    # This test is about the loop and the draws: samples that are your own predict_noise and
    # reverse_step of the right x_T pass here, and those two are tested above.
    own = _own_step(submission, x_T, mean, cov, alpha_bar)
    if own is None or not is_close(samples, own):
        eps_hat = np.sqrt(0.5) * np.linalg.solve(0.5 * cov + 0.5 * np.eye(2), (x_T - np.sqrt(0.5) * mean).T).T
        assert_close(samples, (x_T - 0.5 / np.sqrt(0.5) * eps_hat) / np.sqrt(0.5), "generate(3, ...) after seed 4")


def _own_step(submission, x_T, mean, cov, alpha_bar):
    try:
        eps_hat = submission.predict_noise(x_T, float(alpha_bar[1]), mean, cov)
        return np.asarray(submission.reverse_step(x_T, 1, eps_hat, alpha_bar, np.zeros_like(x_T)), dtype=np.float64)
    except Exception:  # noqa: BLE001 - unfinished functions only mean there is nothing to compare with
        return None
