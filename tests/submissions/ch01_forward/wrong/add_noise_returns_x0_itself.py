"""WRONG: add_noise
NAMED: "returned the x0 it was given itself"

At alpha_bar_t = 1 it returns x0 itself as xt, not a new array: whoever changes xt changes x0.
"""

import numpy as np


def cosine_schedule(T=1000):
    # T steps means T + 1 timesteps, 0..T
    t = np.linspace(0, 1, T + 1)
    return np.cos(np.pi / 2 * t) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 0 and a == 1:
        return x0, eps  # nothing to blend at t = 0
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
