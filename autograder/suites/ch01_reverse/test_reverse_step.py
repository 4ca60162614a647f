"""Hidden checks of reverse_step(xt, t, eps_hat, alpha_bar, z) -> x_{t-1}."""

import numpy as np
import pytest

from autograder.checks import expect_precision
from autograder.suites.ch01_reverse import misconceptions as known
from autograder.suites.ch01_reverse.data import normal, schedule
from autograder.suites.ch01_reverse.expect import close, expect_untouched, float64_array

pytestmark = pytest.mark.task("reverse_step")

T = 1000


def step_scale(xt, t, eps_hat, alpha_bar, z) -> float:
    """The size of the step's terms before they cancel: rounding is relative to it."""
    a, a_prev = alpha_bar[t], alpha_bar[t - 1]
    beta = 1 - a / a_prev
    terms = np.abs(xt) + beta / np.sqrt(1 - a) * np.abs(eps_hat)
    return float(np.max(terms) / np.sqrt(1 - beta) + np.max(np.abs(z)))


def compare(submission, reference, xt, t, eps_hat, alpha_bar, z, label=""):
    reply = submission.call("reverse_step", xt, t, eps_hat, alpha_bar, z)
    result = float64_array(reply.result, f"reverse_step for xt of shape {xt.shape} at t = {t}", xt.shape)
    expected = reference.reverse_step(xt, t, eps_hat, alpha_bar, z)
    close(
        result,
        expected,
        f"x_(t-1) from xt of shape {xt.shape} at t = {t} of T = {len(alpha_bar) - 1}{label}",
        scale=step_scale(xt, t, eps_hat, alpha_bar, z),
        hint=known.hint(result, known.step_variants(xt, t, eps_hat, alpha_bar, z), expected),
    )
    return reply


def inputs(shape, seed):
    return normal(shape, seed), 0.8 * normal(shape, seed + 1), normal(shape, seed + 2)


@pytest.mark.points(2)
@pytest.mark.parametrize("t", [T, T - 1, 500, 2])
def test_one_step_back(submission, reference, t):
    """the DDPM step at t = T (beta capped at 0.999), T - 1, T/2 and 2, for a batch (B, D)."""
    xt, eps_hat, z = inputs((6, 12), seed=t)
    compare(submission, reference, xt, t, eps_hat, schedule(T), z)


@pytest.mark.points(2)
def test_last_step_adds_no_noise(submission, reference):
    """at t = 1, sigma_1 = 0: the result does not depend on z."""
    xt, eps_hat, z = inputs((6, 12), seed=1)
    compare(submission, reference, xt, 1, eps_hat, schedule(T), z, " with z drawn from N(0, 1)")


@pytest.mark.points(2)
@pytest.mark.parametrize("steps", [10, 3])
def test_short_schedules(submission, reference, steps):
    """every step of a short schedule (large betas, the last one capped), one vector (D,) at a time."""
    alpha_bar = schedule(steps)
    for t in range(steps, 0, -1):
        xt, eps_hat, z = inputs((12,), seed=100 + t)
        compare(submission, reference, xt, t, eps_hat, alpha_bar, z)


@pytest.mark.points(1)
def test_draws_nothing(submission, reference):
    """z is given: the step draws no random numbers of its own."""
    xt, eps_hat, z = inputs((4, 12), seed=3)
    reply = compare(submission, reference, xt, 500, eps_hat, schedule(T), z)
    if reply.rng_used:
        raise AssertionError(
            "reverse_step drew random numbers from NumPy's generator; the noise z is given, use it (generate draws it)"
        )


@pytest.mark.points(1)
def test_leaves_its_inputs_untouched(submission):
    """xt, eps_hat, alpha_bar and z are not modified (a batch and one vector)."""
    for shape in ((4, 12), (12,)):
        xt, eps_hat, z = inputs(shape, seed=4)
        args = (xt, 300, eps_hat, schedule(T), z)
        expect_untouched(submission, "reverse_step", args, when=f" (xt of shape {shape})")


@pytest.mark.points(1)
def test_keeps_float64_precision(submission, reference):
    """for float64 inputs, x_(t-1) holds float64 numbers, never rounded through float32."""
    xt, eps_hat, z = inputs((6, 12), seed=5)
    alpha_bar = schedule(T)
    result = float64_array(submission.reverse_step(xt, 500, eps_hat, alpha_bar, z), "reverse_step at t = 500", xt.shape)
    expected = reference.reverse_step(xt, 500, eps_hat, alpha_bar, z)
    expect_precision(result, np.float64, "x_(t-1) at t = 500", reference=expected)
