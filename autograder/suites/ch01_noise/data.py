"""Inputs for the noise checks, made here from fixed seeds (never by student code)."""

import functools

import numpy as np

SEEDS = (0, 7, 2024)
T = 1000


def uniforms(shape, seed, dtype=np.float64):
    """(u1, u2) as gaussian_noise draws them: u1 in (0, 1], u2 in [0, 1)."""
    rng = np.random.RandomState(30_000 + seed)
    u1 = 1.0 - rng.rand(*shape)
    u2 = rng.rand(*shape)
    return u1.astype(dtype), u2.astype(dtype)


def seeded_uniforms(seed, shape, calls=1):
    """The uniforms of ``calls`` gaussian_noise calls made right after ``np.random.seed(seed)``."""
    rng = np.random.RandomState(seed)
    draws = []
    for _ in range(calls):
        u1 = 1.0 - rng.rand(*shape)
        draws.append((u1, rng.rand(*shape)))
    return draws


def data(shape, seed, dtype=np.float64):
    """Skewed, heavy-tailed data (a gamma sample, shifted and scaled): every moment is far from 0."""
    return _data(tuple(shape), seed, np.dtype(dtype)).copy()


@functools.cache
def _data(shape: tuple[int, ...], seed: int, dtype: np.dtype) -> np.ndarray:
    """``data``, drawn once per process: every grading uses the same few samples (the largest 200000 values)."""
    rng = np.random.RandomState(40_000 + seed)
    made = (rng.gamma(2.0, 1.5, size=shape) - 1.0).astype(dtype)
    made.flags.writeable = False
    return made


def stds(n, seed, dtype=np.float64):
    """``n`` standard deviations between 0.05 and 3."""
    return np.random.RandomState(50_000 + seed).uniform(0.05, 3.0, size=n).astype(dtype)


def betas(k, seed, high=0.3, dtype=np.float64):
    """``k`` betas between 1e-4 and ``high``."""
    return np.random.RandomState(60_000 + seed).uniform(1e-4, high, size=k).astype(dtype)


def cosine_alpha_bar(T=T):
    """Part 1's cosine schedule alpha_bar[t] = cos(pi/2 * t/T) ** 2, t = 0..T."""
    return np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2


def cosine_betas(T=T):
    """Part 1's per-step betas of the cosine schedule: beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1]."""
    alpha_bar = cosine_alpha_bar(T)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]
