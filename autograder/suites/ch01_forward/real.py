"""What counts as a real answer of each function, for the checks of properties (no point without work).

A check of a property (inputs untouched, dtype, shape, a limit, unit variance)
calls one of these on the result of each of its calls: it pays only when that
result is right for that input. Functions that draw noise are judged on what
the spec fixes: the image part is the blend with the eps they returned, and that
eps is the reference's draw after the same seed or, on enough values, a sample
with the moments of standard normal noise unrelated to the image. A mistake in
the draws alone (another generator, a reseed) is charged by the checks of the
seed, not here.
"""

import numpy as np

from autograder.checks import describe, error_size, expect_real_answer, is_close
from autograder.suites.ch01_forward.misconceptions import levels

# Below this many values a sample cannot tell noise from a pattern: eps must then be the reference's draw.
FEWEST_FOR_MOMENTS = 100


def real_schedule(result, T, reference) -> None:
    """cosine_schedule(T) returned the reference's levels."""
    expect_real_answer(result, reference.cosine_schedule(T), "cosine_schedule", f"for T = {T}")


def real_betas(result, alpha_bar, reference, where="") -> None:
    """betas_from_alpha_bar(alpha_bar) returned the reference's betas."""
    expected = reference.betas_from_alpha_bar(alpha_bar)
    expect_real_answer(
        result, expected, "betas_from_alpha_bar", where or "for this schedule", precision=alpha_bar.dtype
    )


def real_recovered(result, xt, eps, level, reference, where="") -> None:
    """remove_noise(xt, eps, level) returned the reference's image (rounding magnified by 1 / sqrt(level))."""
    scale = float(np.max(np.abs(xt))) / float(np.sqrt(np.min(level))) if xt.size else 1.0
    expect_real_answer(
        result, reference.remove_noise(xt, eps, level), "remove_noise", where or "here", precision=xt.dtype, scale=scale
    )


def real_noisy_pair(result, x, level, seed, reference, function="add_noise", where="") -> None:
    """add_noise(x, level) or noise_step(x, level) after ``seed``: the blend of x with a real eps it returned.

    ``level`` is alpha_bar_t for add_noise and beta_t for noise_step (which keeps 1 - beta_t of x).
    """
    where = where or "here"
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        expect_real_answer(result, (x, x), function, where)  # fails, naming what came back
    xt, eps = result
    if not (isinstance(eps, np.ndarray) and eps.shape == x.shape and eps.dtype.kind == "f"):
        expect_real_answer(eps, x, function, f"{where} (its eps)")
    keep = levels(level if function == "add_noise" else 1 - np.asarray(level, dtype=np.float64), x.ndim)
    with np.errstate(all="ignore"):
        blend = np.sqrt(keep) * x.astype(np.float64) + np.sqrt(1 - keep) * eps.astype(np.float64)
    expect_real_answer(xt, blend, function, f"{where} (xt against the blend with its own eps)", precision=x.dtype)
    reference.seed(seed)
    drawn = getattr(reference, function)(x, level)[1]
    if is_close(eps, drawn, precision=x.dtype):
        return
    problem = noise_problem(eps, x)
    if problem:
        raise AssertionError(
            f"{function} {where} returned an eps that is not noise ({problem}): this check pays only "
            f"when the result is right too (the checks of the noise say what differs)"
        )


def noise_problem(eps: np.ndarray, x: np.ndarray) -> str:
    """'' when ``eps`` has the moments of standard normal noise and no correlation with ``x`` (six standard errors)."""
    n = eps.size
    if n < FEWEST_FOR_MOMENTS:
        return f"it is not the draw of np.random.randn after the seed, and {n} values are too few to judge otherwise"
    if error_size(eps, np.zeros(eps.shape))[0] == np.inf:
        return f"{describe(eps)} holding NaN or inf"
    values = eps.astype(np.float64).ravel()
    mean, std = float(values.mean()), float(values.std())
    bound_mean, bound_std = 6 / np.sqrt(n), 6 / np.sqrt(2 * n)
    if not (abs(mean) <= bound_mean and abs(std - 1) <= bound_std):
        return f"mean {mean:.3g} and standard deviation {std:.3g} over {n} values"
    image = x.astype(np.float64).ravel()
    if image.std() > 0:
        corr = float(np.corrcoef(values, image)[0, 1])
        if not abs(corr) <= 6 / np.sqrt(n):
            return f"correlation {corr:.3g} with the image"
    return ""
