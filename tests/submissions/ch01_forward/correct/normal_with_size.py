"""Draws the noise with np.random.normal(0, 1, size=...), which is the same stream as randn."""

import numpy as np


def cosine_schedule(T=1000):
    steps = np.arange(T + 1)
    return np.cos(steps / T * np.pi / 2) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.normal(0.0, 1.0, size=x0.shape)
    a = np.array(alpha_bar_t, dtype=np.float64)
    if a.ndim > 0:
        a = a.reshape((len(a),) + (1,) * (x0.ndim - 1))
    return np.sqrt(a) * x0 + np.sqrt(1.0 - a) * eps, eps


def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar)
    return 1.0 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.normal(size=x_prev.shape)
    b = np.array(beta_t, dtype=np.float64)
    if b.ndim > 0:
        b = b.reshape((len(b),) + (1,) * (x_prev.ndim - 1))
    return np.sqrt(1.0 - b) * x_prev + np.sqrt(b) * eps, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = np.array(alpha_bar_t, dtype=np.float64)
    if a.ndim > 0:
        a = a.reshape((len(a),) + (1,) * (xt.ndim - 1))
    return (xt - np.sqrt(1.0 - a) * eps) / np.sqrt(a)
