"""Right another way: one draw for both uniforms, raw moments, log1p without silencing its warning."""

import numpy as np


def uniform_to_normal(u1, u2):
    u1 = u1.astype(np.float64)
    u2 = u2.astype(np.float64)
    r = (-2.0 * np.log(u1)) ** 0.5
    return r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)


def gaussian_noise(*shape):
    # rand(2, *shape) draws the same numbers as two calls of rand(*shape), in the same order.
    u = np.random.rand(2, *shape)
    z1, _ = uniform_to_normal(1.0 - u[0], u[1])
    return z1


def moments(x):
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0 or x.min() == x.max():
        raise ValueError("moments of constant data are undefined")
    m = x.mean()
    e2, e3, e4 = np.mean(x**2), np.mean(x**3), np.mean(x**4)
    var = e2 - m**2
    c3 = e3 - 3 * m * e2 + 2 * m**3
    c4 = e4 - 4 * m * e3 + 6 * m**2 * e2 - 3 * m**4
    return float(m), float(var), float(c3 / var**1.5), float(c4 / var**2 - 3)


def combined_std(stds):
    return float(np.linalg.norm(np.asarray(stds, dtype=np.float64)))


def merge_betas(betas):
    b = np.asarray(betas, dtype=np.float64)
    return float(-np.expm1(np.log1p(-b).sum()))
