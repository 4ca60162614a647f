"""At import, writes files into /tmp, /var/tmp, /dev/shm and /run until refused (up to 256 MB each),
to take the machine's memory: a tmpfs is memory the worker's own limits do not count.

Clean twin: the reference (it writes nothing); the test reads what it managed to write."""

import os

import numpy as np

CHUNK = b"\0" * (1 << 20)
for _folder in ("/tmp", "/var/tmp", "/dev/shm", "/run"):
    _written = 0
    try:
        for _n in range(256):
            with open(os.path.join(_folder, f"fill{_n}"), "wb") as _out:
                for _ in range(8):
                    _out.write(CHUNK)
                    _written += 1
    except OSError:
        pass
    print(f"wrote {_written} MB in {_folder}")


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
