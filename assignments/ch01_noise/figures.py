"""The figures of Chapter 1, Part 2: the student's own noise, measured and added up.

    make figures ASSIGNMENT=ch01_noise [SUBMISSION=path]   (python -m autograder figures ch01_noise ...)

Saves under the out folder (default build/figures/):
    noise.png      a histogram of gaussian_noise against the bell curve, and the
                   (z1, z2) cloud of uniform_to_normal, which should look round
    variances.png  two noises and their sum against the curve combined_std
                   predicts, and the weights of add_noise keeping unit spread
    merged.png     1 - merge_betas(betas[:t]) on top of Part 1's alpha_bar[t]

``code`` is the student's file in the grader's isolated worker (never this
process) or the reference; its functions are called with plain arrays and
numbers. Random inputs are drawn here from a fixed seed, so a correct
submission draws exactly the reference's pictures. A function that fails skips
the figures that need it, with the one-line reason. The picture argument of
``make figures`` is not used: this assignment draws noise, not images.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from autograder.figures.tools import StudentCalls, describe, save_png

SEED = 0
SAMPLES = 100_000
CLOUD = 3_000
DPI = 100
T = 1000
# Two noises for the picture of variances adding: 0.6 and 0.8 make 1.0, while their stds add to 1.4.
PARTS = (0.6, 0.8)

# The README shows all three, drawn from the reference (make readme-images ASSIGNMENT=ch01_noise).
README_FIGURES = ("noise", "variances", "merged")


def figures(code, image, reference=None):
    """The figures in the order they are drawn: (name, draw into a folder) pairs."""
    calls = StudentCalls(code)
    return [
        ("noise", lambda out: noise_figure(calls, out)),
        ("variances", lambda out: variances_figure(calls, out)),
        ("merged", lambda out: merged_figure(calls, out)),
    ]


# -- what comes back ------------------------------------------------------------------------
def _array(calls: StudentCalls, function: str, value, shape) -> np.ndarray:
    if not (isinstance(value, np.ndarray) and value.shape == shape and value.dtype.kind in "iuf"):
        calls.fail(function, f"{function} returned {describe(value)} where an array of shape {shape} was expected")
    return np.asarray(value, dtype=np.float64)


def _number(calls: StudentCalls, function: str, value) -> float:
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(-1)[0]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        calls.fail(function, f"{function} returned {describe(value)} where a number was expected")
    return float(value)


def _top(values) -> float:
    """A y limit that shows 1 with room above, and every finite value a wrong combined_std gives."""
    finite = [v for v in values if math.isfinite(v)]
    return max(1.2, 1.1 * max(finite, default=0.0))


def _normal(grid, std=1.0):
    return np.exp(-((grid / std) ** 2) / 2) / (std * math.sqrt(2 * math.pi))


def _histogram(ax, values, colour, label, span=4.0, outline=False):
    shown = np.clip(np.nan_to_num(values, nan=0.0, posinf=span, neginf=-span), -span, span)
    style = {"histtype": "step", "linewidth": 1.6} if outline else {"alpha": 0.45}
    ax.hist(shown, bins=80, range=(-span, span), density=True, color=colour, label=label, **style)


# -- the noise and its cloud ------------------------------------------------------------------
def noise_figure(calls: StudentCalls, out: Path) -> Path:
    """gaussian_noise(100000) against N(0, 1); (z1, z2) of uniform_to_normal as a scatter."""
    z = _array(calls, "gaussian_noise", calls("gaussian_noise", SAMPLES, seed=SEED), (SAMPLES,))
    rng = np.random.RandomState(SEED)
    u1, u2 = 1 - rng.rand(CLOUD), rng.rand(CLOUD)
    pair = calls("uniform_to_normal", u1, u2)
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        calls.fail("uniform_to_normal", f"uniform_to_normal returned {describe(pair)}, not a pair (z1, z2)")
    z1, z2 = (_array(calls, "uniform_to_normal", part, (CLOUD,)) for part in pair)

    figure = Figure(figsize=(10, 4), dpi=DPI, layout="constrained")
    hist, cloud = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    grid = np.linspace(-4, 4, 401)
    _histogram(hist, z, "C0", f"gaussian_noise({SAMPLES})")
    hist.plot(grid, _normal(grid), color="C3", linewidth=1.8, label="standard normal density")
    finite = z[np.isfinite(z)]
    if finite.size:
        hist.text(
            0.02,
            0.97,
            f"measured here:\nmean {finite.mean():+.3f}\nstd {finite.std():.3f}",
            transform=hist.transAxes,
            va="top",
            fontsize=9,
            color="0.3",
        )
    hist.set(xlabel="value", ylabel="density", title="your noise against the bell curve", xlim=(-4, 4))
    hist.legend(loc="upper right", fontsize=8, frameon=False)

    cloud.scatter(np.clip(z1, -4, 4), np.clip(z2, -4, 4), s=2, alpha=0.4, color="C0")
    for radius in (1, 2, 3):
        angle = np.linspace(0, 2 * np.pi, 200)
        cloud.plot(radius * np.cos(angle), radius * np.sin(angle), color="0.75", linewidth=0.8)
    cloud.set(
        xlim=(-4, 4),
        ylim=(-4, 4),
        aspect="equal",
        xlabel="z1",
        ylabel="z2",
        title=f"uniform_to_normal of {CLOUD} pairs:\nround, densest in the middle",
    )
    return save_png(figure, out / "noise.png")


# -- variances add ------------------------------------------------------------------------------
def variances_figure(calls: StudentCalls, out: Path) -> Path:
    """Two noises and their sum against N(0, combined_std); add_noise's weights at every level."""
    first = _array(calls, "gaussian_noise", calls("gaussian_noise", SAMPLES, seed=SEED + 1), (SAMPLES,))
    second = _array(calls, "gaussian_noise", calls("gaussian_noise", SAMPLES), (SAMPLES,))
    a, b = PARTS[0] * first, PARTS[1] * second
    predicted = _number(calls, "combined_std", calls("combined_std", list(PARTS)))
    levels = np.linspace(0.0, 1.0, 41)
    square_roots = [
        _number(calls, "combined_std", calls("combined_std", [math.sqrt(x), math.sqrt(1 - x)])) for x in levels
    ]
    plain = [_number(calls, "combined_std", calls("combined_std", [x, 1 - x])) for x in levels]

    figure = Figure(figsize=(11, 4), dpi=DPI, layout="constrained")
    sums, weights = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    grid = np.linspace(-4, 4, 401)
    _histogram(sums, a, "C0", f"noise with std {PARTS[0]}")
    _histogram(sums, b, "C2", f"noise with std {PARTS[1]}")
    _histogram(sums, a + b, "k", "their sum", outline=True)
    if 0 < predicted < math.inf:
        sums.plot(grid, _normal(grid, predicted), color="C3", linewidth=1.8, label=f"combined_std: {predicted:.3f}")
    sums.plot(
        grid,
        _normal(grid, sum(PARTS)),
        color="0.3",
        linestyle="--",
        linewidth=1.2,
        label=f"stds added: {sum(PARTS):.1f} (too wide)",
    )
    sums.set(xlabel="value", ylabel="density", title="variances add: 0.6² + 0.8² = 1.0²", xlim=(-4, 4))
    sums.legend(loc="upper right", fontsize=8, frameon=False)

    weights.plot(
        levels, square_roots, color="C3", linewidth=1.8, label=r"weights $\sqrt{\bar\alpha}$, $\sqrt{1-\bar\alpha}$"
    )
    weights.plot(levels, plain, color="0.3", linestyle="--", label=r"weights $\bar\alpha$, $1-\bar\alpha$")
    weights.axhline(1, color="0.8", linewidth=0.8)
    weights.set(
        xlabel=r"$\bar\alpha$ (share of the image)",
        ylabel="combined_std of the two weights",
        title="add_noise: square roots keep the spread at 1",
        xlim=(0, 1),
        ylim=(0, _top(square_roots + plain)),
    )
    weights.legend(loc="lower center", fontsize=8, frameon=False)
    return save_png(figure, out / "variances.png")


# -- many steps, one jump -------------------------------------------------------------------------
def merged_figure(calls: StudentCalls, out: Path) -> Path:
    """1 - merge_betas(betas[:t]) of the cosine schedule's betas, on top of alpha_bar[t]."""
    alpha_bar = np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2
    betas = 1 - alpha_bar[1:] / alpha_bar[:-1]
    steps = np.arange(0, T + 1, 25)
    merged = np.array([_number(calls, "merge_betas", calls("merge_betas", betas[:t])) for t in steps])
    summed = np.minimum(np.cumsum(np.concatenate([[0.0], betas]))[steps], 1.0)

    figure = Figure(figsize=(8, 4), dpi=DPI, layout="constrained")
    ax = figure.subplots()
    ax.plot(np.arange(T + 1), alpha_bar, color="0.6", linewidth=4, label=r"$\bar\alpha[t]$ of Part 1 (one jump)")
    ax.plot(steps, 1 - merged, "o", color="C3", markersize=4, label="1 - merge_betas(betas[:t]) (t steps)")
    ax.plot(steps, 1 - summed, color="0.3", linestyle="--", linewidth=1, label="1 - sum of the betas (not it)")
    ax.set(
        xlabel="timestep t",
        ylabel="share of the image's variance left",
        title="t small steps merge into one jump",
        xlim=(0, T),
        ylim=(-0.05, 1.05),
    )
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    return save_png(figure, out / "merged.png")
