"""Public tests for Chapter 1. Run them with `make test` (or `pytest` in this folder).

They check the basics of each function. The grader runs hidden checks too:
passing these is a good sign, not a guarantee.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_array

T = 1000


def _image(shape=(8, 8, 3)):
    return np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape)


@pytest.mark.task("cosine_schedule")
@pytest.mark.points(2)
def test_cosine_schedule_has_one_level_per_timestep(submission):
    """cosine_schedule(T) has T + 1 levels, from 1 (clean) down to about 0 (static)."""
    alpha_bar = expect_array(submission.cosine_schedule(T), f"cosine_schedule({T})")
    assert alpha_bar.shape == (T + 1,), f"expected shape ({T + 1},), got {alpha_bar.shape}"
    assert alpha_bar[0] == pytest.approx(1.0), f"alpha_bar[0] should be 1, got {alpha_bar[0]}"
    assert alpha_bar[T] < 1e-12, f"alpha_bar[T] should be about 0, got {alpha_bar[T]}"


@pytest.mark.task("add_noise")
@pytest.mark.points(2)
def test_add_noise_returns_the_noise_it_mixed_in(submission):
    """add_noise returns (xt, eps) with xt = sqrt(a) * x0 + sqrt(1 - a) * eps."""
    x0 = _image()
    submission.seed(0)
    xt, eps = submission.add_noise(x0, 0.5)
    assert xt.shape == x0.shape and eps.shape == x0.shape, "xt and eps should be shaped like x0"
    assert_close(xt, np.sqrt(0.5) * x0 + np.sqrt(0.5) * eps, "xt compared with sqrt(0.5) * x0 + sqrt(0.5) * eps")


@pytest.mark.task("add_noise")
@pytest.mark.points(2)
def test_add_noise_is_reproducible_with_a_seed(submission):
    """np.random.seed(s) before add_noise gives the same noise as np.random.randn."""
    x0 = _image()
    submission.seed(3)
    _, eps = submission.add_noise(x0, 0.5)
    assert_close(
        eps,
        np.random.RandomState(3).randn(*x0.shape),
        "eps after np.random.seed(3) compared with np.random.randn(*x0.shape)",
    )


@pytest.mark.task("betas_from_alpha_bar")
@pytest.mark.points(2)
def test_betas_rebuild_the_schedule(submission):
    """the product of (1 - beta) over the steps gives back the schedule."""
    alpha_bar = np.cos(np.linspace(0, 1, 11) * np.pi / 2) ** 2
    betas = submission.betas_from_alpha_bar(alpha_bar)
    assert betas.shape == (10,), f"10 steps need 10 betas, got shape {betas.shape}"
    assert_close(np.cumprod(1 - betas), alpha_bar[1:], "cumprod(1 - betas) compared with alpha_bar[1:]")


@pytest.mark.task("noise_step")
@pytest.mark.points(2)
def test_noise_step_blends_with_its_noise(submission):
    """noise_step returns (x_t, eps) with x_t = sqrt(1 - beta) * x_prev + sqrt(beta) * eps."""
    x_prev = _image()
    submission.seed(1)
    x_t, eps = submission.noise_step(x_prev, 0.1)
    assert_close(
        x_t, np.sqrt(0.9) * x_prev + np.sqrt(0.1) * eps, "x_t compared with sqrt(1 - beta) * x_prev + sqrt(beta) * eps"
    )


@pytest.mark.task("remove_noise")
@pytest.mark.points(2)
def test_remove_noise_undoes_add_noise(submission):
    """remove_noise gets the clean image back when given the true noise."""
    x0 = _image()
    eps = np.random.RandomState(2).randn(*x0.shape)
    xt = np.sqrt(0.3) * x0 + np.sqrt(0.7) * eps
    x0_back = submission.remove_noise(xt, eps, 0.3)
    assert isinstance(x0_back, np.ndarray), f"remove_noise should return an array, not {type(x0_back).__name__}"
    assert_close(x0_back, x0, "the image remove_noise recovered compared with x0", scale=4.0)
