"""WRONG: moments
NAMED: not_excess

Returns the kurtosis, not the excess.
"""

import numpy as np


def uniform_to_normal(u1, u2):
    u1 = np.asarray(u1, dtype=np.float64)
    u2 = np.asarray(u2, dtype=np.float64)
    r = np.sqrt(-2.0 * np.log(u1))
    angle = 2.0 * np.pi * u2
    return r * np.cos(angle), r * np.sin(angle)


def gaussian_noise(*shape):
    u1 = 1.0 - np.random.rand(*shape)
    u2 = np.random.rand(*shape)
    return uniform_to_normal(u1, u2)[0]


def moments(x):
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size == 0 or np.all(x == x[0]):
        raise ValueError("zero variance")
    centred = x - x.mean()
    c2 = np.mean(centred**2)
    c3 = np.mean(centred**3)
    c4 = np.mean(centred**4)
    return float(x.mean()), float(c2), float(c3 / c2**1.5), float(c4 / c2**2)


def combined_std(stds):
    stds = np.asarray(stds, dtype=np.float64).ravel()
    return float(np.sqrt(np.sum(stds**2)))


def merge_betas(betas):
    betas = np.asarray(betas, dtype=np.float64).ravel()
    # log1p and expm1 keep full precision for tiny betas, where 1 - prod(1 - b)
    # would lose its digits; a beta of 1 gives log1p(-1) = -inf and a merge of 1.
    with np.errstate(divide="ignore"):
        kept = np.sum(np.log1p(-betas))
    return float(-np.expm1(kept))
