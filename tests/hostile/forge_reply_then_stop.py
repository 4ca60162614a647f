"""add_noise zeroes its x0, finds the reply pipe in its caller's frames, writes
a plausible reply itself (the right answer, inputs reported clean, the global
generator used) and then stops its own process with SIGSTOP, so that the real
reply never comes and a grader writing the next request would wait forever.

Clean twin: modifies_x0.py."""

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


import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402


def _worker_locals():
    frame = sys._getframe(2)
    found = {}
    while frame is not None:
        for name, value in frame.f_locals.items():
            found.setdefault(name, value)
        frame = frame.f_back
    return found


def add_noise(x0, alpha_bar_t):  # noqa: F811
    clean = x0.copy()
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    x0[...] = 0
    worker = _worker_locals()
    wire, replies = worker.get("wire"), worker.get("replies")
    if wire is not None and replies is not None:
        blobs = []
        reply = {
            "ok": True,
            "result": wire.encode((xt, eps), blobs),
            "rng_used": True,
            "args_after": [wire.encode(clean, blobs), wire.encode(alpha_bar_t, blobs)],
        }
        wire.write_message(replies, reply, blobs)
        os.kill(os.getpid(), signal.SIGSTOP)
    return xt, eps
