"""add_noise zeroes its x0, then walks its caller's frames and puts a clean
copy back into the worker's list of arguments, so that a worker reporting the
arguments after the call would report them untouched.

Clean twin: modifies_x0.py."""

import numpy as np


def cosine_schedule(T=1000):
    return np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps


def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = _per_sample(beta_t, x_prev.ndim)
    return np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = _per_sample(alpha_bar_t, xt.ndim)
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)


def _per_sample(level, ndim):
    level = np.asarray(level, dtype=np.float64)
    return level if level.ndim == 0 else level.reshape(level.shape + (1,) * (ndim - 1))


import sys  # noqa: E402


def add_noise(x0, alpha_bar_t):  # noqa: F811
    clean = x0.copy()
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    x0[...] = 0
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("args", "arguments"):
            found = frame.f_locals.get(name)
            if isinstance(found, list) and found and found[0] is x0:
                found[0] = clean
        frame = frame.f_back
    return xt, eps
