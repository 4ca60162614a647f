"""Right with its own shortcuts: gaussian_noise inlines the transform, float32 inputs stay float32 inside."""

import numpy as np


def uniform_to_normal(u1, u2):
    r = np.sqrt(-2 * np.log(u1))
    angle = 2 * np.pi * u2
    return (r * np.cos(angle)).astype(np.float64), (r * np.sin(angle)).astype(np.float64)


def gaussian_noise(*shape):
    u1 = 1 - np.random.rand(*shape)
    u2 = np.random.rand(*shape)
    return np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2)


def moments(x):
    flat = np.ravel(x)
    if flat.size == 0 or np.all(flat == flat[0]):
        raise ValueError("zero variance")
    mean = np.mean(flat, dtype=np.float64)
    d = flat.astype(np.float64) - mean
    var = np.mean(d * d)
    return float(mean), float(var), float(np.mean(d**3) / var**1.5), float(np.mean(d**4) / var**2 - 3)


def combined_std(stds):
    if len(stds) == 0:
        return 0.0
    return float(np.hypot.reduce(np.asarray(stds, dtype=np.float64)))


def merge_betas(betas):
    if len(betas) == 0:
        return 0.0
    return float(1 - np.prod(1 - np.asarray(betas)))
