"""WRONG: remove_noise
NAMED: "When eps changes, your result changes"

Subtracts (1 - alpha_bar_t) * eps: the noise's weight is missing its square root (the image's is not).
"""

import numpy as np


def cosine_schedule(T=1000):
    t = np.arange(T + 1) / T
    return np.cos(np.pi / 2 * t) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=np.float64)
    if a.ndim:
        a = a.reshape(a.shape + (1,) * (x0.ndim - 1))
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps


def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = np.asarray(beta_t, dtype=np.float64)
    if b.ndim:
        b = b.reshape(b.shape + (1,) * (x_prev.ndim - 1))
    return np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=np.float64)
    if a.ndim:
        a = a.reshape(a.shape + (1,) * (xt.ndim - 1))
    return (xt - (1 - a) * eps) / np.sqrt(a)
