"""A correct submission whose add_noise spends SECONDS (0.15 s) of CPU time per
call (a slow but honest implementation): graded beside busy programs, it must
keep full marks, since budgets count CPU time, not the clock. The project's
tests scale SECONDS with the limits they grade it with.

Clean twin: the reference."""

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


import time  # noqa: E402

SECONDS = 0.15


def add_noise(x0, alpha_bar_t):  # noqa: F811
    started = time.process_time()
    while time.process_time() - started < SECONDS:
        pass
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps
