"""Inputs for the reverse-process checks, made here from fixed seeds (never by student code).

The "pictures" are smooth synthetic images (a few waves and a little grain), so
their patches are correlated like a photo's, and their fitted covariance is well
conditioned (condition number about 1e3 for 2 x 2 colour patches): a correct
solve and the reference then agree to a few units in the last place.
"""

import functools

import numpy as np

SEEDS = (0, 7, 2024)
MAX_BETA = 0.999


def picture(shape=(24, 32, 3), seed=0, dtype=np.float64) -> np.ndarray:
    """A picture-like array in [-1, 1] of shape (H, W) or (H, W, C) (a new copy each time)."""
    return _picture(tuple(shape), seed, np.dtype(dtype).str).copy()


@functools.lru_cache(maxsize=64)
def _picture(shape, seed, dtype):
    rng = np.random.RandomState(70_000 + seed)
    h, w = shape[:2]
    channels = shape[2] if len(shape) == 3 else 1
    rows, cols = np.mgrid[0:h, 0:w] / max(h, w)
    out = np.zeros((h, w, channels))
    for _ in range(4):
        freq = rng.uniform(0.5, 4.0, 2)
        phase = rng.uniform(0.0, 2 * np.pi)
        amplitude = rng.uniform(0.2, 0.5, channels)
        out += amplitude * np.sin(2 * np.pi * (freq[0] * rows + freq[1] * cols) + phase)[:, :, None]
    out = np.clip(out + 0.05 * rng.randn(h, w, channels), -1.0, 1.0)
    out = (out if len(shape) == 3 else out[:, :, 0]).astype(dtype)
    out.flags.writeable = False
    return out


def patches(seed=0, size=2, shape=(48, 48, 3)) -> np.ndarray:
    """Row-major size x size patches of a picture, (N, D) float64."""
    image = picture(shape, seed)
    rows, cols = shape[0] // size, shape[1] // size
    kept = image[: rows * size, : cols * size].reshape(rows, size, cols, size, -1)
    return kept.swapaxes(1, 2).reshape(rows * cols, -1).copy()


def gaussian(seed=0, size=2, shape=(48, 48, 3)) -> tuple[np.ndarray, np.ndarray]:
    """(mean, population covariance) of ``patches``: the model every later check uses."""
    x = patches(seed, size, shape)
    centred = x - x.mean(axis=0)
    return x.mean(axis=0), centred.T @ centred / len(x)


def schedule(T=1000) -> np.ndarray:
    """The sampling schedule: Part 1's cosine schedule with every beta_t capped at MAX_BETA."""
    cosine = np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        betas = np.minimum(1.0 - cosine[1:] / cosine[:-1], MAX_BETA)
    return np.concatenate([[1.0], np.cumprod(1.0 - betas)])


def noisy(mean, cov, a, rows, seed) -> tuple[np.ndarray, np.ndarray]:
    """(xt, eps) for ``rows`` draws x0 ~ N(mean, cov) noised to level(s) ``a`` (a number or (rows,))."""
    rng = np.random.RandomState(80_000 + seed)
    x0 = mean + rng.randn(rows, len(mean)) @ np.linalg.cholesky(cov).T
    eps = rng.randn(rows, len(mean))
    a = np.broadcast_to(np.asarray(a, dtype=np.float64), (rows,))[:, None]
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps


def normal(shape, seed) -> np.ndarray:
    return np.random.RandomState(90_000 + seed).randn(*shape)


def condition(a, cov) -> float:
    """The largest condition number of a cov + (1 - a) I over the level(s) ``a``."""
    eig = np.linalg.eigvalsh(cov)
    levels = np.atleast_1d(np.asarray(a, dtype=np.float64))
    big = levels * eig.max() + 1 - levels
    small = levels * eig.min() + 1 - levels
    return float(np.max(big / np.maximum(small, 1e-300)))


def sampler_law(mean, cov, alpha_bar):
    """The exact law of generate's output: (eigenvectors U, mean m and variances v along them).

    Every step is linear in x plus Gaussian noise, and every matrix involved is a
    function of cov, so along each eigenvector u_k of cov (eigenvalue lam_k) the
    coordinate y_k = u_k . x is Gaussian and independent of the others. From
    y_T ~ N(0, 1), one step with a = alpha_bar[t], beta_t and sigma_t maps
    y to g y + h + sigma_t z with m_k = a lam_k + 1 - a,
    g = (1 - beta_t / m_k) / sqrt(1 - beta_t) and
    h = beta_t sqrt(a) (u_k . mean) / (m_k sqrt(1 - beta_t)).
    """
    lam, U = np.linalg.eigh(cov)
    mu = U.T @ mean
    m, v = np.zeros_like(lam), np.ones_like(lam)
    for t in range(len(alpha_bar) - 1, 0, -1):
        a, a_prev = alpha_bar[t], alpha_bar[t - 1]
        beta = 1 - a / a_prev
        level = a * lam + 1 - a
        g = (1 - beta / level) / np.sqrt(1 - beta)
        h = beta * np.sqrt(a) * mu / (level * np.sqrt(1 - beta))
        m, v = g * m + h, g**2 * v + beta * (1 - a_prev) / (1 - a)
    return U, m, v
