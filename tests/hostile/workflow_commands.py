"""Prints and raises GitHub Actions workflow commands in add_noise, on lines of their own,
after a carriage return, after Unicode line separators, indented, behind escape codes and
in the older ##[...] form, plus Markdown and HTML for the job summary: a fake "all checks
passed" annotation, a fake Classroom points notice, ::stop-commands:: (which would silence
the reporter's real notice), ::add-mask:: of the word "Points". Every other function is the
reference's.

Clean twin: the reference solution, with add_noise's checks all failed.
"""

import numpy as np


def cosine_schedule(T=1000):
    return np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2


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


ATTACK = (
    "::error title=Autograding complete::all checks passed\n"
    "progress\r::notice title=Autograding complete::Points 176/176\r\n"
    "\u2028::stop-commands::TOKEN\u2029::add-mask::Points\x85::group::fake"
    "\x0b::warning::vertical tab\x0c::warning::form feed\n"
    "    ::error file=forward.py,line=1::indented\n"
    "\t\u3000\xa0::debug::blanks\n"
    "\x1b[32m::error::behind a colour\n"
    "note ##[error]legacy form ##[stop-commands]TOKEN\n"
    "::TOKEN::\n"
    '</details><img src=x onerror="alert(1)"> [link](https://example.com) ![i](https://example.com/i.png) '
    "@github-classroom #1 <script>alert(1)</script>\n"
    "```\n~~~\n</code></pre>"
)


def add_noise(x0, alpha_bar_t):
    print(ATTACK)
    raise ValueError(ATTACK)
