"""WRONG: combined_std
NAMED: "Your value is too small by"

The loop stops one short: the last noise is left out.
"""

import math

import numpy as np


def uniform_to_normal(u1, u2):
    radius = np.sqrt(-2 * np.log(np.array(u1, dtype=float)))
    theta = 2 * math.pi * np.array(u2, dtype=float)
    return (radius * np.cos(theta), radius * np.sin(theta))


def gaussian_noise(*shape):
    first = np.random.rand(*shape)
    second = np.random.rand(*shape)
    return uniform_to_normal(1 - first, second)[0]


def moments(x):
    values = np.array(x, dtype=float).flatten()
    if np.ptp(values) == 0:
        raise ValueError("all values are equal")
    mean = values.mean()
    var = values.var()
    std = math.sqrt(var)
    z = (values - mean) / std
    return mean, var, np.mean(z**3), np.mean(z**4) - 3


def combined_std(stds):
    total = 0.0
    for i in range(len(stds) - 1):
        total += float(stds[i]) ** 2
    return math.sqrt(total)


def merge_betas(betas):
    kept = 1.0
    for b in betas:
        kept *= 1.0 - float(b)
    return 1.0 - kept
