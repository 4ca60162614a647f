"""Hidden checks of predict_noise(xt, alpha_bar_t, mean, cov) -> eps_hat = E[eps | xt]."""

import math

import numpy as np
import pytest

from autograder.checks import expect_precision, finite_statistics
from autograder.suites.ch01_reverse import misconceptions as known
from autograder.suites.ch01_reverse.data import condition, gaussian, noisy
from autograder.suites.ch01_reverse.expect import close, expect_new_array, expect_untouched, float64_array

pytestmark = pytest.mark.task("predict_noise")


def level_text(a) -> str:
    return f"levels of shape {np.shape(a)}" if np.ndim(a) else f"alpha_bar_t = {float(a):g}"


def guess(submission, xt, a, mean, cov):
    reply = submission.call("predict_noise", xt, a, mean, cov)
    return float64_array(reply.result, f"predict_noise for xt of shape {xt.shape} and {level_text(a)}", xt.shape), reply


def compare(submission, reference, xt, a, mean, cov):
    """The closed form, within 1000 float64 ulps times the system's condition number."""
    result, reply = guess(submission, xt, a, mean, cov)
    expected = reference.predict_noise(xt, a, mean, cov)
    # A correct solve differs from another by about the condition number of a cov + (1 - a) I
    # times the rounding of its inputs: the tolerance grows with it.
    cond = condition(a, cov)
    close(
        result,
        expected,
        f"the guessed noise for xt of shape {xt.shape} and {level_text(a)} (the tolerance allows for the "
        f"condition number {cond:.3g} of the system)",
        scale=cond * max(1.0, float(np.max(np.abs(xt)))),
        hint=known.hint(result, known.noise_variants(xt, a, mean, cov), expected),
    )
    return reply


@pytest.mark.points(2)
@pytest.mark.parametrize("a", [0.95, 0.5, 0.02])
def test_closed_form_for_one_vector(submission, reference, a):
    """one vector (D,): sqrt(1 - a) (a cov + (1 - a) I)^-1 (xt - sqrt(a) mean)."""
    mean, cov = gaussian(seed=1)
    xt, _ = noisy(mean, cov, a, rows=1, seed=1)
    compare(submission, reference, xt[0], a, mean, cov)


@pytest.mark.points(2)
@pytest.mark.parametrize("a", [0.7, 0.1])
def test_closed_form_for_a_batch_at_one_level(submission, reference, a):
    """a batch (B, D) at one level: each row guessed as on its own."""
    mean, cov = gaussian(seed=2, size=3)
    xt, _ = noisy(mean, cov, a, rows=40, seed=2)
    compare(submission, reference, xt, a, mean, cov)


@pytest.mark.points(2)
def test_one_level_per_row(submission, reference):
    """a (B,) array of levels, 0 and 1 included, gives each row its own level (B equal to D as well)."""
    mean, cov = gaussian(seed=3)
    for rows in (9, len(mean)):  # B = D: levels lined up with the columns still broadcast
        levels = np.linspace(1.0, 0.0, rows)
        xt, _ = noisy(mean, cov, levels, rows=rows, seed=3)
        compare(submission, reference, xt, levels, mean, cov)


@pytest.mark.points(2)
def test_exact_at_the_ends(submission):
    """at alpha_bar = 0, xt is all noise and the guess is xt (a new array); at 1 there is no noise: 0."""
    mean, cov = gaussian(seed=4)
    xt, _ = noisy(mean, cov, 0.0, rows=12, seed=4)
    for rows in (xt, xt[0]):
        result, reply = guess(submission, rows, 0.0, mean, cov)
        expect_new_array(reply, "predict_noise", " at alpha_bar_t = 0")
        close(result, rows, f"the guess at alpha_bar_t = 0 for xt of shape {rows.shape}, compared with xt", 4.0)
        result, _ = guess(submission, rows, 1.0, mean, cov)
        close(result, np.zeros_like(rows), f"the guess at alpha_bar_t = 1 for xt of shape {rows.shape}", 4.0)


@pytest.mark.points(3)
@pytest.mark.parametrize("a", [0.9, 0.4, 0.05])
def test_beats_every_constant_guess(submission, a):
    """on 4000 noisy draws, its squared error beats the best constant guess and is the least possible."""
    mean, cov = gaussian(seed=5)
    n, D = 4000, len(mean)
    xt, eps = noisy(mean, cov, a, rows=n, seed=5)
    result, _ = guess(submission, xt, a, mean, cov)
    with np.errstate(over="ignore", invalid="ignore"):  # a student's huge values fail below
        errors = finite_statistics(np.sum((result - eps) ** 2, axis=1), "the squared errors of the guesses")
    mse = float(errors.mean())
    # The best constant c in hindsight is the mean of the noise drawn; its error is what is left.
    best_constant = float(np.mean(np.sum(eps**2, axis=1)) - np.sum(eps.mean(axis=0) ** 2))
    if not mse < best_constant:
        raise AssertionError(
            f"at alpha_bar_t = {a:g}, the mean squared error of your guesses over {n} draws is {mse:.4g}, no better "
            f"than guessing one constant for every xt ({best_constant:.4g}): the guess must use xt"
        )
    # The least possible error, E|eps - E[eps | xt]|^2 = D - (1 - a) trace((a cov + (1 - a) I)^-1).
    least = D - (1 - a) * float(np.sum(1 / (a * np.linalg.eigvalsh(cov) + 1 - a)))
    bound = 6 * float(errors.std()) / math.sqrt(n)
    if abs(mse - least) > bound:
        raise AssertionError(
            f"at alpha_bar_t = {a:g}, the mean squared error of your guesses over {n} draws is {mse:.4g}; the exact "
            f"E[eps | xt] has {least:.4g} on average, and {n} draws allow {bound:.2g} (six standard errors): "
            f"the guess is not the expected noise"
        )


@pytest.mark.points(1)
def test_leaves_its_inputs_untouched(submission):
    """xt, the levels, mean and cov are not modified (one level, per-row levels, one vector)."""
    mean, cov = gaussian(seed=6)
    xt, _ = noisy(mean, cov, 0.5, rows=5, seed=6)
    levels = np.linspace(0.9, 0.1, 5)
    for args, when in (
        ((xt, 0.5, mean, cov), " with one level"),
        ((xt, levels, mean, cov), " with a (B,) array of levels"),
        ((xt[0], 0.5, mean, cov), " for one vector"),
    ):
        expect_untouched(submission, "predict_noise", tuple(np.copy(v) if np.ndim(v) else v for v in args), when=when)


@pytest.mark.points(1)
def test_keeps_float64_precision(submission, reference):
    """for float64 inputs, the guess holds float64 numbers, never rounded through float32."""
    mean, cov = gaussian(seed=7)
    xt, _ = noisy(mean, cov, 0.5, rows=20, seed=7)
    result, _ = guess(submission, xt, 0.5, mean, cov)
    expect_precision(result, np.float64, "the guessed noise", reference=reference.predict_noise(xt, 0.5, mean, cov))
