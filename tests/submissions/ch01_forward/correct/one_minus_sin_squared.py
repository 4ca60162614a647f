"""Writes the schedule as 1 - sin^2, and the betas as a difference over the earlier level."""

import numpy as np


def cosine_schedule(T=1000):
    angle = np.pi / 2 * np.linspace(0, 1, T + 1)
    return 1 - np.sin(angle) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (x0.ndim - 1)))
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    return xt, eps


def betas_from_alpha_bar(alpha_bar):
    # 1 - a[t]/a[t-1] == (a[t-1] - a[t]) / a[t-1]
    return -np.diff(alpha_bar) / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    # one step is add_noise with alpha_bar = 1 - beta
    return add_noise(x_prev, 1 - np.asarray(beta_t, dtype=float))


def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (xt.ndim - 1)))
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
