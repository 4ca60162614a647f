"""Computes nothing, but returns what makes the checks of properties hold: new float64 arrays of the
right shapes, inputs untouched, the row itself with a zero covariance for one row, xt at alpha_bar_t = 0
and zeros at 1, xt handed back as the step, and generate's own x_T (with the later draws made, so the
generator is where it should be) that those do-nothing steps would give.

Clean twin: zeros.py (zeros of the right shapes everywhere)."""

import numpy as np


def extract_patches(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    channels = image.shape[2] if image.ndim == 3 else 1
    return np.zeros((rows * cols, size * size * channels))


def fit_gaussian(x):
    return np.array(x[0], dtype=np.float64), np.zeros((x.shape[1], x.shape[1]))


def predict_noise(xt, alpha_bar_t, mean, cov):
    return np.array(xt, dtype=np.float64) if np.all(np.asarray(alpha_bar_t) == 0) else np.zeros(np.shape(xt))


def reverse_step(xt, t, eps_hat, alpha_bar, z):
    return np.array(xt, dtype=np.float64)


def generate(n, mean, cov, alpha_bar):
    x_T = np.random.randn(n, len(mean))
    for _ in range(len(alpha_bar) - 2):
        np.random.randn(n, len(mean))
    return x_T
