"""Factors the shared parts into helpers of its own: shaping the levels and mixing."""

import numpy as np


def cosine_schedule(T=1000):
    fraction = np.arange(T + 1) / T
    return np.cos(fraction * np.pi / 2) ** 2


def batch_shaped(level, like):
    """A scalar stays a scalar; a (B,) array becomes (B, 1, ..., 1) to match `like`."""
    level = np.asarray(level, dtype=np.float64)
    if level.ndim == 0:
        return level
    return level.reshape((-1,) + (1,) * (like.ndim - 1))


def mix(x, keep, eps):
    """sqrt(keep) of x plus sqrt(1 - keep) of eps."""
    keep = batch_shaped(keep, x)
    return np.sqrt(keep) * x + np.sqrt(1 - keep) * eps


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    return mix(x0, alpha_bar_t, eps), eps


def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    return mix(x_prev, 1 - np.asarray(beta_t, dtype=np.float64), eps), eps


def remove_noise(xt, eps, alpha_bar_t):
    a = batch_shaped(alpha_bar_t, xt)
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
