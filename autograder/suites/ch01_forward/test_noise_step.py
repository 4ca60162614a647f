"""Hidden checks of noise_step(x_prev, beta_t) -> (x_t, eps)."""

from functools import partial

import numpy as np
import pytest

from autograder.checks import assert_close, expect_array, expect_pair
from autograder.suites.ch01_forward import misconceptions as known
from autograder.suites.ch01_forward.data import SEEDS, alpha_bar, image
from autograder.suites.ch01_forward.precision import expect_precision

pytestmark = pytest.mark.task("noise_step")


def step(submission, x_prev, beta, seed, return_args=False):
    submission.seed(seed)
    reply = submission.call("noise_step", x_prev, beta, return_args=return_args)
    x_t, eps = expect_pair(reply.result, "noise_step", ("x_t", "eps"), x_prev.shape)
    for name, array in (("x_t", x_t), ("eps", eps)):
        expect_precision(array, x_prev.dtype, f"{name} returned by noise_step")
    return x_t, eps, reply


@pytest.mark.points(3)
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_reference_for_fixed_seeds(submission, reference, seed):
    """matches the reference after np.random.seed, for several seeds and betas."""
    x_prev = image(seed=seed)
    for beta in (1e-4, 0.02, 0.5):
        x_t, eps, reply = step(submission, x_prev, beta, seed)
        reference.seed(seed)
        ref_x_t, ref_eps = reference.noise_step(x_prev, beta)
        where = f"with np.random.seed({seed}) and beta_t = {beta:g}"
        hint = partial(known.diagnose_message, x_prev, 1 - beta, x_t, eps, seed, reply.rng_used)
        assert_close(eps, ref_eps, f"eps {where}", hint=hint)
        assert_close(x_t, ref_x_t, f"x_t {where}", hint=hint)


@pytest.mark.points(3)
@pytest.mark.parametrize("shape", [(16, 16, 3), (3, 8, 8, 3)])
def test_x_t_is_the_blend_of_x_prev_and_the_returned_eps(submission, shape):
    """x_t = sqrt(1 - beta) * x_prev + sqrt(beta) * eps, also with one beta per sample."""
    x_prev = image(shape, seed=12)
    beta = 0.3 if len(shape) == 3 else np.array([0.05, 0.3, 0.8])
    with known.explaining_broadcast_errors():
        x_t, eps, _ = step(submission, x_prev, beta, seed=12)
    keep = known.levels(1 - np.asarray(beta), x_prev.ndim)
    expected = np.sqrt(keep) * x_prev + np.sqrt(1 - keep) * eps
    assert_close(
        x_t,
        expected,
        f"x_t for x_prev of shape {shape} and beta_t of shape {np.shape(beta)}, compared with "
        f"the blend of x_prev and the eps you returned",
        hint=known.hint(x_t, known.mix_variants(x_prev, 1 - np.asarray(beta), eps), expected),
    )


@pytest.mark.points(4)
def test_many_small_steps_equal_one_jump(submission):
    """500 steps with the cosine betas land where one jump to alpha_bar[500] lands."""
    schedule = alpha_bar()
    betas = 1 - schedule[1:] / schedule[:-1]  # the reference's betas: only the step is graded
    x0 = np.linspace(-1, 1, 50)[None, :].repeat(100, axis=0)  # 5000 values: six standard errors are 0.085
    t = 500
    n = x0.size

    def each_step_is_a_step(step, x_prev, beta, reply):
        # Every step is judged, so the end of the chain cannot be right while its steps are wrong.
        x_t, eps = expect_pair(reply.result, "noise_step", ("x_t", "eps"), x0.shape)
        where = f"step {step + 1} of the chain of {t}"
        assert_close(
            x_t,
            np.sqrt(1 - beta) * x_prev + np.sqrt(beta) * eps,
            f"x_t of {where}, compared with the blend of its x_prev and the eps it returned",
        )
        if not (abs(eps.mean()) <= 6 / np.sqrt(n) and abs(eps.var() - 1) <= 6 * np.sqrt(2 / n)):
            raise AssertionError(
                f"the eps of {where} is not standard normal: mean {eps.mean():.4f}, "
                f"variance {eps.var():.4f} over {n} values"
            )

    submission.seed(21)
    x_t = expect_array(
        submission.chain("noise_step", x0, betas[:t], each=each_step_is_a_step), f"x_t after {t} steps", x0.shape
    )
    expect_precision(x_t, x0.dtype, f"x_t after {t} steps")
    z = (x_t - np.sqrt(schedule[t]) * x0) / np.sqrt(1 - schedule[t])
    # Six standard errors: a correct step fails with probability below 1e-8.
    bound_mean, bound_var = 6 / np.sqrt(n), 6 * np.sqrt(2 / n)
    bound_corr = 6 / np.sqrt(n)
    corr = float(np.corrcoef(z.ravel(), x0.ravel())[0, 1]) if np.all(np.isfinite(z)) else float("nan")
    if not (abs(z.mean()) <= bound_mean and abs(z.var() - 1) <= bound_var and abs(corr) <= bound_corr):
        raise AssertionError(
            f"after {t} steps the images are not distributed like one jump to alpha_bar[{t}] = "
            f"{schedule[t]:.3f}: (x_t - sqrt(alpha_bar) x0) / sqrt(1 - alpha_bar) should be standard "
            f"normal and unrelated to x0, but over {n} values it has mean {z.mean():.4f} (allowed "
            f"+-{bound_mean:.4f}), variance {z.var():.4f} (allowed 1 +-{bound_var:.4f}) and correlation "
            f"with x0 {corr:.4f} (allowed +-{bound_corr:.4f})"
        )


@pytest.mark.points(2)
def test_leaves_x_prev_untouched(submission):
    """x_prev is not modified."""
    x_prev = image(seed=13)
    _, _, reply = step(submission, x_prev, 0.1, seed=13, return_args=True)
    after = expect_array(reply.args_after[0], "x_prev after the call", x_prev.shape)
    if not np.array_equal(after, x_prev):
        raise AssertionError("noise_step changed the x_prev it was given; work on a new array instead")
