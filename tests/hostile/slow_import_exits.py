"""Takes SECONDS (4 s) to import, then every function ends its process: each check pays
for a fresh import. The project's tests scale SECONDS with the limits they grade it with.

Clean twin: the reference solution."""

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



import os  # noqa: E402
import time  # noqa: E402

SECONDS = 4
time.sleep(SECONDS)


def _exit(*args):
    os._exit(1)


cosine_schedule = add_noise = betas_from_alpha_bar = noise_step = remove_noise = _exit
