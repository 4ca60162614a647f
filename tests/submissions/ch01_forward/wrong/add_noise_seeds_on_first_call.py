"""WRONG: add_noise
NAMED: "on its first call only"

Seeds the global generator the first time it is called only, so every later call looks
right and only the first one after the caller's seed draws the wrong noise.
"""

import numpy as np


def cosine_schedule(T=1000):
    # T steps means T + 1 timesteps, 0..T
    t = np.linspace(0, 1, T + 1)
    return np.cos(np.pi / 2 * t) ** 2


_seeded = False


def add_noise(x0, alpha_bar_t):
    global _seeded
    if not _seeded:
        np.random.seed(42)
        _seeded = True
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
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
