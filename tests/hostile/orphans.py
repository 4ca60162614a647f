"""Leaves processes behind: a plain child, and a grandchild that left the session
(double fork + setsid), started both at import and during calls. Each carries the
marker hostile-orphan in its name.

Clean twin: the reference solution."""

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
import subprocess  # noqa: E402

MARKER = "hostile-orphan"


def _leave_children():
    subprocess.Popen([MARKER, "1000"], executable="sleep", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", [MARKER, "1000"])
        os._exit(0)
    os.wait()


_leave_children()
_honest_remove = remove_noise
# Children are left by the first few calls only: one worker may hold 32 processes,
# and reaching that limit would fail calls for a reason this file does not test.
_calls_leaving_children = [3]


def remove_noise(xt, eps, alpha_bar_t):  # noqa: F811
    if _calls_leaving_children[0] > 0:
        _calls_leaving_children[0] -= 1
        _leave_children()
    return _honest_remove(xt, eps, alpha_bar_t)
