"""WRONG: cosine_schedule
NAMED: offset_s

The improved-DDPM schedule with its offset s = 0.008.
"""

import numpy as np


def cosine_schedule(T=1000):
    s = 0.008
    t = np.linspace(0, 1, T + 1)
    f = np.cos((t + s) / (1 + s) * np.pi / 2) ** 2
    return f / f[0]


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        # one level per sample: (B,) -> (B, 1, 1, ...)
        a = a.reshape(-1, *([1] * (x0.ndim - 1)))
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    return xt, eps


def betas_from_alpha_bar(alpha_bar):
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = np.asarray(beta_t, dtype=float)
    if b.ndim == 1:
        b = b.reshape(-1, *([1] * (x_prev.ndim - 1)))
    x_t = np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps
    return x_t, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (xt.ndim - 1)))
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
