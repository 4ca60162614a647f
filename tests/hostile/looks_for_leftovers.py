"""Graded right after leftovers.py in the same grading process (the same warm template):
looks for anything that submission left, in the shared folders, its working folder
and SysV IPC, and fails cosine_schedule, naming what it found, if anything is there.

Clean twin: the reference solution (when nothing reaches it)."""

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

MARKER = "hostile-leftover"


def _look():
    found = []
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "."):
        try:
            found += [os.path.join(folder, name) for name in os.listdir(folder) if name.startswith(MARKER)]
        except OSError:
            pass
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                rows = [line.split() for line in table.read().splitlines()[1:]]
        except OSError:
            continue
        # The uid column (the 8th of shm's, the 8th of msg's, the 5th of sem's) as this user: ours.
        column = {"shm": 7, "msg": 7, "sem": 4}[kind]
        found += [f"SysV {kind} {row[1]}" for row in rows if len(row) > column and row[column] == str(os.getuid())]
    try:  # a POSIX queue by its name: no folder need show it
        import ctypes

        _rt = ctypes.CDLL("librt.so.1", use_errno=True)
        if _rt.mq_open(f"/{MARKER}-queue".encode(), os.O_RDONLY, 0, None) >= 0:
            found.append(f"POSIX queue /{MARKER}-queue")
    except OSError:
        pass
    return found


FOUND = _look()
_cosine_schedule = cosine_schedule


def cosine_schedule(T=1000):  # noqa: F811
    if FOUND:
        raise RuntimeError(f"left by the previous submission: {FOUND}")
    return _cosine_schedule(T)
