"""Calls that wait without sleeping: noise_step blocks the worker in a vfork wait (state D, not S)
while its child sleeps 8 s; remove_noise forks a child that blocks the same way while the worker
waits for it (the worker asleep, its child in D). Neither state computes, so both count like sleep.

Clean twin: the reference solution, with every check of noise_step and remove_noise failed."""

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
_libc.clone.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
_stack = ctypes.create_string_buffer(1 << 16)
_top = (ctypes.addressof(_stack) + (1 << 16) - 64) & ~0xF
_sleep = ctypes.cast(_libc.sleep, ctypes.c_void_p).value
CLONE_VM, CLONE_VFORK, SIGCHLD = 0x100, 0x4000, 17
_honest = dict(noise_step=noise_step, remove_noise=remove_noise)


def _blocked(seconds):
    """Until the child (sharing this memory, running sleep()) ends, this process is in state D."""
    pid = _libc.clone(_sleep, _top, CLONE_VM | CLONE_VFORK | SIGCHLD, seconds)
    if pid > 0:
        os.waitpid(pid, 0)


def noise_step(x_prev, beta_t):  # noqa: F811
    _blocked(8)
    return _honest["noise_step"](x_prev, beta_t)


def remove_noise(xt, eps, alpha_bar_t):  # noqa: F811
    child = os.fork()
    if child == 0:
        _blocked(8)
        os._exit(0)
    os.waitpid(child, 0)
    return _honest["remove_noise"](xt, eps, alpha_bar_t)
