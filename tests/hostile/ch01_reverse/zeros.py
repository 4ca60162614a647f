"""Clean twin of property_farmer.py: zeros of the right shapes everywhere."""

import numpy as np


def extract_patches(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    channels = image.shape[2] if image.ndim == 3 else 1
    return np.zeros((rows * cols, size * size * channels))


def fit_gaussian(x):
    return np.zeros(x.shape[1]), np.zeros((x.shape[1], x.shape[1]))


def predict_noise(xt, alpha_bar_t, mean, cov):
    return np.zeros(np.shape(xt))


def reverse_step(xt, t, eps_hat, alpha_bar, z):
    return np.zeros(np.shape(xt))


def generate(n, mean, cov, alpha_bar):
    return np.zeros((n, len(mean)))
