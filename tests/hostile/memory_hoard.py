"""At import, hoards memory no address-space limit counts: memfds of 16 MB (where memfd_create is
refused, files of 16 MB in /dev/shm), each filled and unmapped, up to 3 GB; prints how much it holds.

Clean twin: the reference solution (whatever the hoard costs, the functions are correct)."""

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

CHUNK = 16 << 20
_held = []


def _hoard(limit=3 << 30):
    block = b"\x01" * CHUNK
    while len(_held) * CHUNK < limit:
        try:
            fd = os.memfd_create(f"hostile-hoard-{len(_held)}")
        except (OSError, AttributeError):
            try:
                fd = os.open(f"/dev/shm/hostile-hoard-{os.getpid()}-{len(_held)}", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                break
        try:
            os.write(fd, block)
        except OSError:
            os.close(fd)
            break
        _held.append(fd)


try:
    _hoard()
finally:
    print(f"HOARD held {len(_held) * CHUNK >> 20} MB")
