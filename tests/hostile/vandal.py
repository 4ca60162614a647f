"""Tries to change the project: rewrite the grader, empty the hidden suites, delete the
solutions, drop a file at the project root.

Clean twin: wrong.py."""

import numpy as np


def cosine_schedule(T=1000):
    return np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    return a * x0 + (1 - a) * eps, eps


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
import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

_project = Path(sys.argv[0]).resolve().parents[2]


def _vandalise():
    # Only ever act as a user that does not own the checkout: run without the
    # privilege drop, these lines would really damage it.
    try:
        if os.getuid() == 0 or os.stat(_project).st_uid == os.getuid():
            return
    except OSError:  # the project is not in sight (a mount namespace): nothing to aim at
        return
    attempts = [
        lambda: (_project / "autograder" / "grade.py").write_text("raise SystemExit(0)\n"),
        lambda: (_project / "autograder" / "results.py").unlink(),
        lambda: (_project / "autograder" / "suites" / "ch01_forward" / "test_add_noise.py").write_text(""),
        lambda: shutil.rmtree(_project / "autograder" / "suites" / "ch01_forward"),
        lambda: shutil.rmtree(_project / "solutions"),
        lambda: (_project / "solutions" / "ch01_forward" / "forward.py").write_text(""),
        lambda: (_project / "VANDALISED").write_text("was here\n"),
        lambda: os.chmod(_project / "autograder", 0o777),
        lambda: os.rename(_project / "autograder", _project / "autograder-gone"),
    ]
    for attempt in attempts:
        try:
            attempt()
        except OSError:
            pass


_vandalise()


def remove_noise(xt, eps, alpha_bar_t):  # noqa: F811
    _vandalise()
    a = _per_sample(alpha_bar_t, xt.ndim)
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
