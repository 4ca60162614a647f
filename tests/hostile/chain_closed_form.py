"""noise_step is wrong on every single step (it mixes variances, not standard
deviations), except when it recognises a chain (its input is its own last
output): then it answers with the closed-form jump from the chain's start, so
a check that only looks at the end of the chain would see the right result.

Clean twin: wrong_step.py (the same wrong step, always)."""

import numpy as np


def cosine_schedule(T=1000):
    return np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps


def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = _per_sample(beta_t, x_prev.ndim)
    return np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = _per_sample(alpha_bar_t, xt.ndim)
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)


def _per_sample(level, ndim):
    level = np.asarray(level, dtype=np.float64)
    return level if level.ndim == 0 else level.reshape(level.shape + (1,) * (ndim - 1))


_chain = {"last": None, "start": None, "alpha_bar": 1.0}


def noise_step(x_prev, beta_t):  # noqa: F811
    eps = np.random.randn(*x_prev.shape)
    b = _per_sample(beta_t, x_prev.ndim)
    last = _chain["last"]
    if last is not None and last.shape == x_prev.shape and np.array_equal(last, x_prev):
        _chain["alpha_bar"] *= 1 - float(np.mean(b))
        ab = _chain["alpha_bar"]
        x_t = np.sqrt(ab) * _chain["start"] + np.sqrt(1 - ab) * eps
    else:
        _chain["start"], _chain["alpha_bar"] = x_prev.copy(), 1 - float(np.mean(b))
        x_t = (1 - b) * x_prev + b * eps
    _chain["last"] = x_t.copy()
    return x_t, eps
