"""Leaves files and SysV IPC objects for the next submission graded under its uid: files in
/tmp, /var/tmp, /dev/shm, /run/lock and its working folder, and a shared memory segment, a message queue and
a semaphore set (ipcmk), and a POSIX message queue, each named or keyed hostile-leftover.

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

MARKER = "hostile-leftover"


def _leave():
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "."):
        try:
            with open(os.path.join(folder, f"{MARKER}-{os.getpid()}"), "w") as handle:
                handle.write("for the next student\n")
        except OSError:
            pass
    try:  # a POSIX queue: in the kernel, shown only where someone mounted /dev/mqueue
        import ctypes

        _rt = ctypes.CDLL("librt.so.1", use_errno=True)
        _rt.mq_open(f"/{MARKER}-queue".encode(), os.O_CREAT | os.O_RDWR, 0o644, None)
    except OSError:
        pass
    for kind in (["-M", "4096"], ["-Q"], ["-S", "1"]):
        try:
            subprocess.run(["ipcmk", *kind], capture_output=True, timeout=5, check=False)
        except (OSError, subprocess.SubprocessError):
            pass


_leave()
