"""Inputs for the Chapter 1 checks, made here from fixed seeds (never by student code)."""

import numpy as np

T = 1000
SEEDS = (0, 7, 2024)


def image(shape=(16, 16, 3), seed=0, dtype=np.float64):
    """A deterministic picture-like array with values in [-1, 1]."""
    rng = np.random.RandomState(10_000 + seed)
    return rng.uniform(-1.0, 1.0, size=shape).astype(dtype)


def alpha_bar(T=T):
    """The cosine schedule, computed here so checks of other functions do not depend on it."""
    return np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2
