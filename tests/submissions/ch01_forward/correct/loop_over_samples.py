"""eps drawn once, then a Python loop over the samples of a batch into a new array."""

import numpy as np


def cosine_schedule(T=1000):
    t = np.linspace(0.0, 1.0, T + 1)
    return np.cos(t * np.pi / 2) ** 2

def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=np.float64)
    if a.ndim == 0:
        return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps
    xt = np.empty(x0.shape, dtype=np.result_type(x0, np.float64))
    for b in range(x0.shape[0]):
        xt[b] = np.sqrt(a[b]) * x0[b] + np.sqrt(1 - a[b]) * eps[b]
    return xt, eps

def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]

def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    bt = np.asarray(beta_t, dtype=np.float64)
    if bt.ndim == 0:
        return np.sqrt(1 - bt) * x_prev + np.sqrt(bt) * eps, eps
    out = np.zeros(x_prev.shape)
    for i, b in enumerate(bt):
        out[i] = np.sqrt(1 - b) * x_prev[i] + np.sqrt(b) * eps[i]
    return out, eps

def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=np.float64)
    if a.ndim == 0:
        return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
    return np.stack([(xt[i] - np.sqrt(1 - a[i]) * eps[i]) / np.sqrt(a[i]) for i in range(len(a))])

def _ps(level, ndim):
    level = np.asarray(level, dtype=np.float64)
    if level.ndim == 0:
        return level
    return level.reshape(level.shape + (1,) * (ndim - 1))
