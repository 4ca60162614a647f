"""Every result 4e-5 (relative) too large, then cast to float32, hoping float32's tolerance hides the error.

Clean twin: off_by_4e5.py (the same numbers in float64)."""

import numpy as np

SCALE = 1 + 4e-5
DTYPE = np.float32  # float32 results of float64 inputs: does float32's tolerance hide the error?


def _wrong(value):
    if isinstance(value, tuple):
        return tuple(_wrong(v) for v in value)
    return (np.asarray(value) * SCALE).astype(DTYPE)


def cosine_schedule(T=1000):
    return _wrong(np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2)


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    return _wrong((np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps))


def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return _wrong(1 - alpha_bar[1:] / alpha_bar[:-1])


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = _per_sample(beta_t, x_prev.ndim)
    return _wrong((np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps, eps))


def remove_noise(xt, eps, alpha_bar_t):
    a = _per_sample(alpha_bar_t, xt.ndim)
    return _wrong((xt - np.sqrt(1 - a) * eps) / np.sqrt(a))


def _per_sample(level, ndim):
    level = np.asarray(level, dtype=np.float64)
    return level if level.ndim == 0 else level.reshape(level.shape + (1,) * (ndim - 1))
