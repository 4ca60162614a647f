"""Draws the noise with np.random.standard_normal(shape)."""

import numpy as np


def cosine_schedule(T=1000):
    return np.cos(np.linspace(0.0, np.pi / 2, T + 1)) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.standard_normal(x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    a = a.reshape(a.shape + (1,) * (x0.ndim - a.ndim)) if a.ndim else a
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    return xt, eps


def betas_from_alpha_bar(alpha_bar):
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.standard_normal(x_prev.shape)
    b = np.asarray(beta_t, dtype=float)
    b = b.reshape(b.shape + (1,) * (x_prev.ndim - b.ndim)) if b.ndim else b
    return np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=float)
    a = a.reshape(a.shape + (1,) * (xt.ndim - a.ndim)) if a.ndim else a
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
