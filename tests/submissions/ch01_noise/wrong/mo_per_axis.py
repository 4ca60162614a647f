"""WRONG: moments
NAMED: per_axis

Takes the moments along axis 0.
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
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0 or np.all(x == x.flat[0]):
        raise ValueError("zero variance")
    m = x.mean(axis=0)
    c = x - m
    c2 = np.mean(c**2, axis=0)
    out = (m, c2, np.mean(c**3, axis=0) / c2**1.5, np.mean(c**4, axis=0) / c2**2 - 3)
    return tuple(float(v) if np.ndim(v) == 0 else v for v in out)


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
