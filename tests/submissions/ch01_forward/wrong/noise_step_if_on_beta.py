"""WRONG: noise_step
NAMED: "With one number as beta_t your code works"

Treats beta_t = 0 on its own with an if, which an array of betas cannot answer.
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
    if beta_t == 0:
        return x_prev.copy(), eps
    return np.sqrt(1 - beta_t) * x_prev + np.sqrt(beta_t) * eps, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=np.float64)
    if a.ndim:
        a = a.reshape(a.shape + (1,) * (xt.ndim - 1))
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
