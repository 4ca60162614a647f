"""Computes nothing, but returns what makes the checks of properties hold: a schedule [1, 0, ..., 0],
betas all zero, (x0, zeros) near the clean end and (zeros, zeros) elsewhere, xt itself from remove_noise.

Clean twin: zeros.py (zeros of the right shapes everywhere)."""

import numpy as np


def cosine_schedule(T=1000):
    levels = np.zeros(T + 1)
    levels[0] = 1.0  # clean at t = 0, static at T, never rising
    return levels


def add_noise(x0, alpha_bar_t):
    if np.ndim(alpha_bar_t) == 0 and alpha_bar_t > 0.9:
        return x0.copy(), np.zeros(x0.shape)  # "xt is x0 at the clean end"
    return np.zeros(x0.shape), np.zeros(x0.shape)  # "xt is eps at the static end"


def betas_from_alpha_bar(alpha_bar):
    return np.zeros(len(alpha_bar) - 1)  # floats in [0, 1], the right shape


def noise_step(x_prev, beta_t):
    if np.ndim(beta_t) == 0 and beta_t < 0.1:
        return x_prev.copy(), np.zeros(x_prev.shape)
    return np.zeros(x_prev.shape), np.zeros(x_prev.shape)


def remove_noise(xt, eps, alpha_bar_t):
    return xt.copy()  # right at alpha_bar_t = 1, a new array, as precise as xt
