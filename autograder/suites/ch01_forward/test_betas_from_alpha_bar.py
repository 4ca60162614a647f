"""Hidden checks of betas_from_alpha_bar(alpha_bar) -> betas of shape (T,)."""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_array
from autograder.suites.ch01_forward import misconceptions as known
from autograder.suites.ch01_forward.data import alpha_bar as cosine
from autograder.suites.ch01_forward.precision import expect_precision

pytestmark = pytest.mark.task("betas_from_alpha_bar")


def linear_schedule(T=50):
    """alpha_bar of a linear-beta schedule: any decreasing schedule must work, not only the cosine."""
    return np.concatenate([[1.0], np.cumprod(1 - np.linspace(1e-4, 0.2, T))])


def betas(submission, alpha_bar):
    T = len(alpha_bar) - 1
    result = submission.betas_from_alpha_bar(alpha_bar)
    if isinstance(result, np.ndarray) and result.shape != (T,):
        mistake = known.first_match(result, known.beta_variants(alpha_bar))
        raise AssertionError(
            f"for a schedule of shape ({T + 1},) the betas should have shape ({T},), "
            f"one for each step t = 1..{T}, but they have shape {result.shape}. "
            f"{known.message(mistake)}".strip()
        )
    return expect_precision(
        expect_array(result, "betas_from_alpha_bar(...)", (T,)), alpha_bar.dtype, "betas_from_alpha_bar(...)"
    )


@pytest.mark.points(2)
def test_one_beta_per_step(submission):
    """returns T betas for a schedule of T + 1 levels."""
    betas(submission, cosine(1000))
    betas(submission, linear_schedule(10))


@pytest.mark.points(3)
@pytest.mark.parametrize("name", ["cosine", "linear"])
def test_matches_the_ratio_formula(submission, reference, name):
    """matches 1 - alpha_bar[t] / alpha_bar[t - 1] for every step."""
    alpha_bar = cosine(1000) if name == "cosine" else linear_schedule()
    result = betas(submission, alpha_bar)
    expected = reference.betas_from_alpha_bar(alpha_bar)
    assert_close(
        result,
        expected,
        f"the betas of the {name} schedule",
        hint=known.hint(result, known.beta_variants(alpha_bar), expected),
    )


@pytest.mark.points(3)
def test_steps_multiply_back_to_the_schedule(submission):
    """the product of (1 - beta) over steps 1..t gives back alpha_bar[t] (the shortcut)."""
    for alpha_bar in (cosine(1000), linear_schedule()):
        result = betas(submission, alpha_bar)
        assert_close(
            np.cumprod(1 - result),
            alpha_bar[1:],
            "the running product of (1 - beta_t) compared with alpha_bar[1:]",
            hint=known.hint(result, known.beta_variants(alpha_bar), 1 - alpha_bar[1:] / alpha_bar[:-1]),
        )


@pytest.mark.points(3)
def test_many_small_steps_equal_one_jump(submission, reference):
    """noising step by step with these betas lands where one jump to alpha_bar[t] lands."""
    schedule = cosine(1000)
    result = betas(submission, schedule)
    x0 = np.linspace(-1, 1, 50)[None, :].repeat(100, axis=0)  # 5000 values: six standard errors are 0.085
    reference.seed(1)
    # The reference's own step, so only the betas are graded here.
    for t in (250, 500):
        x_t = reference.chain("noise_step", x0, result[:t])
        _assert_one_jump(x_t, x0, schedule[t], t)


def _assert_one_jump(x_t, x0, level, t):
    z = (x_t - np.sqrt(level) * x0) / np.sqrt(1 - level)
    n = z.size
    bound_mean, bound_var = 6 / np.sqrt(n), 6 * np.sqrt(2 / n)
    if abs(z.mean()) > bound_mean or abs(z.var() - 1) > bound_var:
        raise AssertionError(
            f"after {t} steps the images are not distributed like one jump to alpha_bar[{t}]: "
            f"the standardised difference has mean {z.mean():.4f} (allowed {bound_mean:.4f}) and "
            f"variance {z.var():.4f} (allowed 1 +- {bound_var:.4f}) over {n} values"
        )
