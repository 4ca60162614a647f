"""Builds the schedule one timestep at a time with math.cos, and the betas in a loop too."""

import math

import numpy as np


def cosine_schedule(T=1000):
    alpha_bar = np.zeros(T + 1)
    for t in range(T + 1):
        alpha_bar[t] = math.cos(math.pi / 2 * t / T) ** 2
    return alpha_bar


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    if np.isscalar(alpha_bar_t) or np.ndim(alpha_bar_t) == 0:
        xt = math.sqrt(alpha_bar_t) * x0 + math.sqrt(1 - alpha_bar_t) * eps
    else:
        xt = np.empty_like(x0, dtype=float)
        for i, a in enumerate(alpha_bar_t):
            xt[i] = math.sqrt(a) * x0[i] + math.sqrt(1 - a) * eps[i]
    return xt, eps


def betas_from_alpha_bar(alpha_bar):
    T = len(alpha_bar) - 1
    betas = np.zeros(T)
    for t in range(1, T + 1):
        betas[t - 1] = 1 - alpha_bar[t] / alpha_bar[t - 1]
    return betas


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    if np.ndim(beta_t) == 0:
        return math.sqrt(1 - beta_t) * x_prev + math.sqrt(beta_t) * eps, eps
    x_t = np.empty_like(x_prev, dtype=float)
    for i, b in enumerate(beta_t):
        x_t[i] = math.sqrt(1 - b) * x_prev[i] + math.sqrt(b) * eps[i]
    return x_t, eps


def remove_noise(xt, eps, alpha_bar_t):
    if np.ndim(alpha_bar_t) == 0:
        return (xt - math.sqrt(1 - alpha_bar_t) * eps) / math.sqrt(alpha_bar_t)
    x0 = np.empty_like(xt, dtype=float)
    for i, a in enumerate(alpha_bar_t):
        x0[i] = (xt[i] - math.sqrt(1 - a) * eps[i]) / math.sqrt(a)
    return x0
