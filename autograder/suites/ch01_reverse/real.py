"""What counts as a real answer of each function, for the checks of properties (no point without work).

A check of a property (inputs untouched, a new array, float64 precision, an
exact end of the dial) calls one of these on the result of each of its calls: it
pays only when that result is right for that input, within the tolerance the
checks of values use. generate's real answers are judged in test_generate.py,
beside the draws they depend on.
"""

import numpy as np

from autograder.checks import expect_real_answer
from autograder.suites.ch01_reverse.data import condition


def noise_scale(xt, a, cov) -> float:
    """A correct solve differs from another by about the system's condition number times the rounding of xt."""
    return condition(a, cov) * max(1.0, float(np.max(np.abs(xt))))


def step_scale(xt, t, eps_hat, alpha_bar, z) -> float:
    """The size of the step's terms before they cancel: rounding is relative to it."""
    a, a_prev = alpha_bar[t], alpha_bar[t - 1]
    beta = 1 - a / a_prev
    terms = np.abs(xt) + beta / np.sqrt(1 - a) * np.abs(eps_hat)
    return float(np.max(terms) / np.sqrt(1 - beta) + np.max(np.abs(z)))


def real_patches(result, image, size, reference, where) -> None:
    """extract_patches(image, size) returned the reference's patches."""
    expect_real_answer(result, reference.extract_patches(image, size), "extract_patches", where)


def real_fit(result, x, reference, where) -> None:
    """fit_gaussian(x) returned the reference's mean and covariance (sizes: the rows' and their square)."""
    size = max(1.0, float(np.max(np.abs(x))))
    expected = reference.fit_gaussian(x.astype(np.float64))
    expect_real_answer(result, expected, "fit_gaussian", where, precision=x.dtype, scale=(size, size**2))


def real_guess(result, xt, a, mean, cov, reference, where) -> None:
    """predict_noise(xt, a, mean, cov) returned the reference's guess."""
    expected = reference.predict_noise(xt, a, mean, cov)
    expect_real_answer(result, expected, "predict_noise", where, scale=noise_scale(xt, a, cov))


def real_step(result, xt, t, eps_hat, alpha_bar, z, reference, where) -> None:
    """reverse_step(xt, t, eps_hat, alpha_bar, z) returned the reference's x_(t-1)."""
    expected = reference.reverse_step(xt, t, eps_hat, alpha_bar, z)
    scale = step_scale(xt, t, eps_hat, alpha_bar, z)
    expect_real_answer(result, expected, "reverse_step", where, scale=scale)
