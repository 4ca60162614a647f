"""Returns [xt, eps] as a list of two arrays rather than a tuple."""

import numpy as np


def cosine_schedule(T=1000):
    t = np.linspace(0.0, 1.0, T + 1)
    return np.cos(t * np.pi / 2) ** 2

def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = _ps(alpha_bar_t, x0.ndim)
    return [np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps]

def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]

def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = _ps(beta_t, x_prev.ndim)
    return [np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps, eps]

def remove_noise(xt, eps, alpha_bar_t):
    a = _ps(alpha_bar_t, xt.ndim)
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)

def _ps(level, ndim):
    level = np.asarray(level, dtype=np.float64)
    if level.ndim == 0:
        return level
    return level.reshape(level.shape + (1,) * (ndim - 1))
