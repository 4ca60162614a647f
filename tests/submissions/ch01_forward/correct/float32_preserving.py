"""Keeps the caller's float dtype: float32 in, float32 out (noise drawn, then cast)."""

import numpy as np


def cosine_schedule(T=1000):
    t = np.linspace(0, 1, T + 1)
    return np.cos(np.pi / 2 * t) ** 2


def _float_dtype(x):
    return x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)


def add_noise(x0, alpha_bar_t):
    dtype = _float_dtype(x0)
    eps = np.random.randn(*x0.shape).astype(dtype)
    a = np.asarray(alpha_bar_t, dtype=dtype)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (x0.ndim - 1)))
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    return xt.astype(dtype), eps


def betas_from_alpha_bar(alpha_bar):
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    dtype = _float_dtype(x_prev)
    eps = np.random.randn(*x_prev.shape).astype(dtype)
    b = np.asarray(beta_t, dtype=dtype)
    if b.ndim == 1:
        b = b.reshape(-1, *([1] * (x_prev.ndim - 1)))
    x_t = np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps
    return x_t.astype(dtype), eps


def remove_noise(xt, eps, alpha_bar_t):
    dtype = _float_dtype(xt)
    a = np.asarray(alpha_bar_t, dtype=dtype)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (xt.ndim - 1)))
    return ((xt - np.sqrt(1 - a) * eps) / np.sqrt(a)).astype(dtype)
