"""Clean twin of property_farmer.py: zeros of the right shapes, and 0.0, everywhere."""

import numpy as np


def uniform_to_normal(u1, u2):
    return np.zeros(np.shape(u1)), np.zeros(np.shape(u1))


def gaussian_noise(*shape):
    return np.zeros(tuple(int(d) for d in shape))


def moments(x):
    return 0.0, 0.0, 0.0, 0.0


def combined_std(stds):
    return 0.0


def merge_betas(betas):
    return 0.0
