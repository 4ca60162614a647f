"""Inputs for the Chapter 1 checks, made here from fixed seeds (never by student code)."""

import functools

import numpy as np

T = 1000
SEEDS = (0, 7, 2024)


def image(shape=(16, 16, 3), seed=0, dtype=np.float64):
    """A deterministic picture-like array with values in [-1, 1] (a new copy each time)."""
    return _image(tuple(np.atleast_1d(shape).tolist()), seed, np.dtype(dtype).str).copy()


@functools.lru_cache(maxsize=512)
def _image(shape, seed, dtype):
    # Seeding a generator costs more than copying the picture it draws: a grading asks for 50.
    rng = np.random.RandomState(10_000 + seed)
    picture = rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
    picture.flags.writeable = False
    return picture


def alpha_bar(T=T):
    """The cosine schedule, computed here so checks of other functions do not depend on it."""
    return np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2


# Batches of 1-D to 5-D samples for the per-sample level checks; the 2-D and
# 4-D ones have B equal to their last axis (the channel count), where a level
# array that lines up with the wrong axis still broadcasts.
BATCH_SHAPES = ((5,), (3, 3), (4, 5, 6), (3, 8, 8, 3), (2, 3, 4, 5, 2))


def shape_id(shape) -> str:
    return "x".join(map(str, shape))


def describe_level(a, name="alpha_bar_t") -> str:
    """How a level is named in feedback: its value, or the shape and range of a per-sample array."""
    if np.ndim(a):
        return f"{name} of shape {np.shape(a)} (from {np.min(a):g} to {np.max(a):g})"
    return f"{name} = {float(a):g}"
