"""Clean twin of nan.py: every function returns zeros of the right shape."""

import numpy as np


def cosine_schedule(T=1000):
    return np.zeros(T + 1)


def add_noise(x0, alpha_bar_t):
    return np.zeros(x0.shape), np.zeros(x0.shape)


def betas_from_alpha_bar(alpha_bar):
    return np.zeros(len(alpha_bar) - 1)


def noise_step(x_prev, beta_t):
    return np.zeros(x_prev.shape), np.zeros(x_prev.shape)


def remove_noise(xt, eps, alpha_bar_t):
    return np.zeros(xt.shape)
