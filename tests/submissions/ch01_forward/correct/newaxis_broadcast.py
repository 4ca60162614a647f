"""Broadcasts per-sample levels with np.newaxis and np.expand_dims."""

import numpy as np


def cosine_schedule(T=1000):
    t = np.linspace(0, 1, T + 1)
    return np.cos(t * np.pi / 2) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        a = a[(...,) + (np.newaxis,) * (x0.ndim - 1)]
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    return xt, eps


def betas_from_alpha_bar(alpha_bar):
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = np.asarray(beta_t, dtype=float)
    if b.ndim == 1:
        b = np.expand_dims(b, axis=tuple(range(1, x_prev.ndim)))
    x_t = np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps
    return x_t, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=float)
    while a.ndim and a.ndim < xt.ndim:
        a = a[..., np.newaxis]
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
