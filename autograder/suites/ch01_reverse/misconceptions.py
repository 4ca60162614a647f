"""Known wrong versions of the reverse-process functions, to name a student's mistake.

When a result does not match, a check computes these variants on the same
inputs (and the same seed) and says which one the result matches. Only the
explanation reaches the student, never a variant's values.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import expected_scale, is_close

EXPLAIN = {
    # extract_patches
    "patches_column_order": "the patches come column by column; take them row by row, left to right along the "
    "top of the image first (patch k is patch-row k // (W // size), patch-column k % (W // size))",
    "flattened_column_order": "each patch is flattened in column order (Fortran order, or transposed first); "
    "flatten it row by row with .reshape(-1), each pixel's channels together",
    "channels_first": "each patch is flattened channel by channel (all of the red values, then the green, ...); "
    "keep each pixel's channels together, as .reshape(-1) of the size x size x C patch does",
    "overlapping": "the patches overlap (they start at every pixel, not every size pixels)",
    # fit_gaussian
    "ddof_one": "that is the sample covariance, divided by N - 1 (np.cov's default); the population covariance "
    "divides by N (np.cov(x, rowvar=False, bias=True), or centred.T @ centred / N)",
    "not_centred": "the covariance is taken of x itself, not of x minus its mean",
    "transposed_data": "the covariance is taken between the N patches instead of the D pixel values: "
    "np.cov treats rows as variables unless rowvar=False",
    "second_moment": "that is the mean of x x^T; the covariance subtracts mean mean^T from it",
    # predict_noise
    "inverse_cov": "the system solved is cov y = v; the noisy vector's covariance is a cov + (1 - a) I, "
    "the data's share plus the noise's",
    "no_sqrt_noise": "the factor in front is 1 - a; it is sqrt(1 - a), the noise's weight in x_t",
    "no_sqrt_mean": "the mean is scaled by a; in x_t it is scaled by sqrt(a), the picture's weight",
    "mean_not_scaled": "the mean is subtracted as it is; in x_t the picture, and so its mean, is scaled by sqrt(a)",
    "no_factor": "the factor sqrt(1 - a) in front is missing",
    "swapped_weights": "a and 1 - a have swapped places in a cov + (1 - a) I",
    "whole_xt_is_noise": "the guess is a multiple of x_t itself; the mean and the covariance of the pictures "
    "tell how much of x_t is picture",
    "levels_on_columns": "a (B,) array of levels is lined up with the D columns instead of the B rows: "
    "give it the shape (B, 1) first",
    # reverse_step
    "no_sqrt_step": "the noise guess is divided by 1 - alpha_bar[t]; divide it by sqrt(1 - alpha_bar[t])",
    "no_sqrt_keep": "the result is divided by 1 - beta_t; divide by sqrt(1 - beta_t)",
    "beta_next": "beta_t is taken from the next pair of levels, alpha_bar[t + 1] / alpha_bar[t]; "
    "beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1]",
    "beta_previous": "beta_t is taken from the previous pair of levels, alpha_bar[t - 1] / alpha_bar[t - 2]; "
    "beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1]",
    "beta_is_alpha_bar": "beta_t is taken as 1 - alpha_bar[t]; that is the noise of all t steps together, "
    "beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1] is one step's",
    "sigma_beta": "the noise added has variance beta_t; the step's variance is "
    "beta_t (1 - alpha_bar[t - 1]) / (1 - alpha_bar[t]), which is 0 on the last step t = 1",
    "sigma_not_sqrt": "sigma_t is used without its square root: z is scaled by "
    "beta_t (1 - alpha_bar[t - 1]) / (1 - alpha_bar[t]) instead of the square root of it",
    "no_noise": "no noise is added: x_{t-1} gets sigma_t z on every step but the last",
    "noise_not_divided": "the noise guess is not divided by sqrt(1 - alpha_bar[t])",
    # generate
    "z_reused": "one z is drawn and reused on every step; each step needs fresh noise, drawn right before it",
    "noise_after_last_step": "noise is added after the last step; step t = 1 adds none, and the result is "
    "x_0 as that step returns it",
    "z_on_last_step": "a z is drawn for the last step t = 1 too; as the docstring says, no z is drawn there",
    "z_drawn_first": "a step's z is drawn in another order (before x_T, or all at once); draw x_T first, then "
    "one z per step from t = T down to t = 2",
    "steps_upwards": "the steps run from t = 1 up to T; the reverse process starts at pure static, t = T, "
    "and walks down to t = 1",
    "one_step_short": "the loop stops one step short (at t = 2 or from t = T - 1); it runs t = T, ..., 1",
    "reseeded": "the function seeds the generator itself, so every call gives the same samples; "
    "leave seeding to the caller",
}


def message(name: str | None) -> str:
    """The feedback line for a recognised mistake (empty when none was recognised)."""
    return f"This looks like a known mistake: {EXPLAIN[name]}." if name else ""


def hint(actual, candidates: dict, correct=None):
    """A callable giving the feedback line, computed only if a check fails."""
    return lambda: message(first_match(actual, candidates, correct))


def first_match(actual, candidates: dict, correct=None) -> str | None:
    """The first candidate (name -> callable giving a value) that ``actual`` matches, and ``correct`` does not."""
    if not isinstance(actual, np.ndarray):
        return None
    actual = actual.astype(np.float64) if actual.dtype.kind in "fiu" else actual
    for name, make in candidates.items():
        try:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                candidate = np.asarray(make(), dtype=np.float64)
        except (ValueError, IndexError, TypeError, ZeroDivisionError, np.linalg.LinAlgError):
            continue
        if correct is not None and is_close(candidate, correct, scale=expected_scale(correct), precision=np.float32):
            continue
        if is_close(actual, candidate, scale=expected_scale(candidate), precision=np.float32):
            return name
    return None


# -- the variants, each on the very inputs of a check ----------------------------------------------------


def patch_variants(image, size) -> dict:
    pixels = np.asarray(image, dtype=np.float64)
    pixels = pixels[:, :, None] if pixels.ndim == 2 else pixels
    rows, cols, channels = pixels.shape[0] // size, pixels.shape[1] // size, pixels.shape[2]
    blocks = pixels[: rows * size, : cols * size].reshape(rows, size, cols, size, channels).swapaxes(1, 2)
    return {
        "patches_column_order": lambda: blocks.swapaxes(0, 1).reshape(rows * cols, -1),
        "flattened_column_order": lambda: blocks.swapaxes(2, 3).reshape(rows * cols, -1),
        "channels_first": lambda: np.moveaxis(blocks, 4, 2).reshape(rows * cols, -1),
        "overlapping": lambda: np.stack(
            [
                pixels[i : i + size, j : j + size].reshape(-1)
                for i in range(pixels.shape[0] - size + 1)
                for j in range(pixels.shape[1] - size + 1)
            ]
        ),
    }


def gaussian_variants(x) -> dict:
    x = np.asarray(x, dtype=np.float64)  # the variants below read x as float64
    n = len(x)
    centred = x - x.mean(axis=0)
    return {
        "ddof_one": lambda: centred.T @ centred / (n - 1),
        "not_centred": lambda: x.T @ x / n,
        "transposed_data": lambda: np.cov(x, bias=True),
        "second_moment": lambda: x.T @ x / n,
    }


def noise_variants(xt, a, mean, cov) -> dict:
    xt = np.asarray(xt, dtype=np.float64)
    rows = np.atleast_2d(xt)
    a = np.broadcast_to(np.asarray(a, dtype=np.float64), rows.shape[:1])[:, None]
    identity = np.eye(len(mean))

    def solved(weight_cov, weight_eye, shift):
        out = [
            np.linalg.solve(wc * cov + we * identity, row - s * mean)
            for row, wc, we, s in zip(rows, weight_cov[:, 0], weight_eye[:, 0], shift[:, 0], strict=True)
        ]
        return np.array(out)

    def shaped(values):
        return values.reshape(xt.shape)

    return {
        "inverse_cov": lambda: shaped(np.sqrt(1 - a) * solved(np.ones_like(a), np.zeros_like(a), np.sqrt(a))),
        "no_sqrt_noise": lambda: shaped((1 - a) * solved(a, 1 - a, np.sqrt(a))),
        "no_sqrt_mean": lambda: shaped(np.sqrt(1 - a) * solved(a, 1 - a, a)),
        "mean_not_scaled": lambda: shaped(np.sqrt(1 - a) * solved(a, 1 - a, np.ones_like(a))),
        "no_factor": lambda: shaped(solved(a, 1 - a, np.sqrt(a))),
        "swapped_weights": lambda: shaped(np.sqrt(1 - a) * solved(1 - a, a, np.sqrt(a))),
        "whole_xt_is_noise": lambda: shaped(np.sqrt(1 - a) * rows),
    }


def step_variants(xt, t, eps_hat, alpha_bar, z) -> dict:
    ab = np.asarray(alpha_bar, dtype=np.float64)
    a, a_prev = ab[t], ab[t - 1]
    beta = 1 - a / a_prev

    def step(b=beta, divide=None, keep=None, noise=None):
        divide = np.sqrt(1 - a) if divide is None else divide
        keep = np.sqrt(1 - b) if keep is None else keep
        noise = np.sqrt(b * (1 - a_prev) / (1 - a)) if noise is None else noise
        return (xt - b / divide * eps_hat) / keep + noise * z

    return {
        "no_sqrt_step": lambda: step(divide=1 - a),
        "no_sqrt_keep": lambda: step(keep=1 - beta),
        "beta_next": lambda: step(b=1 - ab[t + 1] / a),
        "beta_previous": lambda: step(b=1 - a_prev / ab[t - 2]) if t >= 2 else None,
        "beta_is_alpha_bar": lambda: step(b=1 - a),
        "sigma_beta": lambda: step(noise=np.sqrt(beta)),
        "sigma_not_sqrt": lambda: step(noise=beta * (1 - a_prev) / (1 - a)),
        "no_noise": lambda: step(noise=0.0),
        "noise_not_divided": lambda: step(divide=1.0),
    }


def _sample(n, mean, cov, alpha_bar, draws, steps=None, after=False):
    """The reference sampler with a given source of z (``draws(t)``) and order of steps."""
    D = len(mean)
    identity = np.eye(D)
    x = draws("x_T")
    for t in steps if steps is not None else range(len(alpha_bar) - 1, 0, -1):
        a, a_prev = alpha_bar[t], alpha_bar[t - 1]
        beta = 1 - a / a_prev
        eps_hat = np.sqrt(1 - a) * np.linalg.solve(a * cov + (1 - a) * identity, (x - np.sqrt(a) * mean).T).T
        sigma = np.sqrt(beta * (1 - a_prev) / (1 - a))
        x = (x - beta / np.sqrt(1 - a) * eps_hat) / np.sqrt(1 - beta) + sigma * draws(t)
    if after:
        x = x + np.sqrt(1 - alpha_bar[1]) * draws("after")
    return x


def generate_variants(n, mean, cov, alpha_bar, seed) -> dict:
    """generate's known wrong versions after np.random.seed(seed)."""
    D, T = len(mean), len(alpha_bar) - 1

    def fresh():
        rng = np.random.RandomState(seed)
        return lambda t: rng.randn(n, D) if t in {"x_T", "after"} or t > 1 else np.zeros((n, D))

    def reused():
        rng = np.random.RandomState(seed)
        x_T, z = rng.randn(n, D), rng.randn(n, D)
        return lambda t: x_T if t == "x_T" else (z if t != 1 else np.zeros((n, D)))

    def z_first():
        rng = np.random.RandomState(seed)
        zs = {t: rng.randn(n, D) for t in range(T, 1, -1)}
        x_T = rng.randn(n, D)
        return lambda t: x_T if t == "x_T" else zs.get(t, np.zeros((n, D)))

    return {
        "z_reused": lambda: _sample(n, mean, cov, alpha_bar, reused()),
        "noise_after_last_step": lambda: _sample(n, mean, cov, alpha_bar, fresh(), after=True),
        "z_drawn_first": lambda: _sample(n, mean, cov, alpha_bar, z_first()),
        "steps_upwards": lambda: _sample(n, mean, cov, alpha_bar, fresh(), steps=range(1, T + 1)),
        "one_step_short": lambda: _sample(n, mean, cov, alpha_bar, fresh(), steps=range(T, 1, -1)),
    }
