"""Applies per-sample levels with np.einsum over the batch axis."""

import numpy as np


def cosine_schedule(T=1000):
    t = np.linspace(0, 1, T + 1)
    return np.cos(t * np.pi / 2) ** 2


def _scale(x, w):
    """Multiply x by w: a scalar, or one weight per sample along axis 0."""
    w = np.asarray(w, dtype=float)
    if w.ndim == 0:
        return w * x
    return np.einsum("b...,b->b...", x, w)


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    xt = _scale(x0, np.sqrt(a)) + _scale(eps, np.sqrt(1 - a))
    return xt, eps


def betas_from_alpha_bar(alpha_bar):
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = np.asarray(beta_t, dtype=float)
    x_t = _scale(x_prev, np.sqrt(1 - b)) + _scale(eps, np.sqrt(b))
    return x_t, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=float)
    return _scale(xt - _scale(eps, np.sqrt(1 - a)), 1 / np.sqrt(a))
