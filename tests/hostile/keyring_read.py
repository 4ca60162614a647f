"""Looks for what an earlier grading under the same uid stored in its keyrings (keyring_plant.py)
and prints whatever it finds into its own feedback.

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


import ctypes  # noqa: E402
import os  # noqa: E402

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
# add_key and keyctl on x86-64 and AArch64.
ADD_KEY, KEYCTL = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(os.uname().machine, (-1, -1))
GET_PERSISTENT, SEARCH, READ = 22, 10, 11
# The keyrings that belong to the uid rather than to a process: they outlive every process of it.
KEYRINGS = {"user": -4, "user-session": -5, "session": -3}
MARK = b"hostile-keyring-mark"


def _keyrings():
    found = dict(KEYRINGS)
    persistent = _libc.syscall(KEYCTL, GET_PERSISTENT, -1, KEYRINGS["session"])
    found["persistent"] = persistent if persistent >= 0 else None
    return found


_answers = []
for _name, _ring in _keyrings().items():
    _key = _libc.syscall(KEYCTL, SEARCH, _ring, b"user", MARK, 0) if _ring is not None else -1
    if _key < 0:
        _answers.append(f"{_name}=nothing")
        continue
    _data = ctypes.create_string_buffer(256)
    _size = _libc.syscall(KEYCTL, READ, _key, _data, 256)
    _answers.append(f"{_name}=found " + _data.raw[: max(_size, 0)].decode(errors="replace").replace(" ", "_"))
print("KEYRING READ " + " ".join(_answers))
