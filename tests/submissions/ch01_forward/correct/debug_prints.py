"""Prints shapes and values while it works, as students do when debugging."""

import numpy as np

print("loading forward.py")


def cosine_schedule(T=1000):
    t = np.linspace(0, 1, T + 1)
    alpha_bar = np.cos(t * np.pi / 2) ** 2
    print("schedule", alpha_bar.shape, alpha_bar[:3], alpha_bar[-1])
    return alpha_bar


def add_noise(x0, alpha_bar_t):
    print("add_noise: x0", x0.shape, x0.dtype, "alpha_bar_t", alpha_bar_t)
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (x0.ndim - 1)))
    print("  a has shape", a.shape)
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    print("  xt mean/std", xt.mean(), xt.std())
    return xt, eps


def betas_from_alpha_bar(alpha_bar):
    betas = 1 - alpha_bar[1:] / alpha_bar[:-1]
    print("betas", betas.shape, betas.min(), betas.max())
    return betas


def noise_step(x_prev, beta_t):
    print("noise_step", x_prev.shape, beta_t)
    eps = np.random.randn(*x_prev.shape)
    b = np.asarray(beta_t, dtype=float)
    if b.ndim == 1:
        b = b.reshape(-1, *([1] * (x_prev.ndim - 1)))
    x_t = np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps
    return x_t, eps


def remove_noise(xt, eps, alpha_bar_t):
    print("remove_noise", xt.shape, eps.shape, np.shape(alpha_bar_t))
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (xt.ndim - 1)))
    x0 = (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
    print("  recovered range", x0.min(), x0.max())
    return x0
