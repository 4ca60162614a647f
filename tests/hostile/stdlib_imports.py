"""A correct submission that imports the standard library freely, NumPy's submodules too.

Clean twin: the reference solution (full marks)."""

from __future__ import annotations

import argparse  # noqa: F401
import array  # noqa: F401
import cmath  # noqa: F401
import doctest  # noqa: F401
import logging
import timeit  # noqa: F401
import unittest  # noqa: F401
import uuid  # noqa: F401

import numpy.testing  # noqa: F401
import numpy.typing  # noqa: F401

import numpy as np

logging.getLogger(__name__).debug("imported")


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

