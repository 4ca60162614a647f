"""The figures of Chapter 1: one picture taken to static and back by the student's own functions.

    make figures [SUBMISSION=path] [IMAGE=photo.jpg]       (python -m autograder figures ASSIGNMENT ...)

Saves under the out folder (default build/figures/):
    schedule.png    alpha_bar (its T + 1 levels counted), the two weights and log SNR against t
    betas.png       betas_from_alpha_bar: beta_t against t, and whether they rebuild alpha_bar
    strip.png       the image at t = 0, 100, 250, 500, 750, 1000
    steps.png       noise_step: steps 1..t one at a time against one add_noise jump to t
    histograms.png  pixels of the image standardised to variance 1, at a few t, against N(0, 1)
    dial.gif        t from 0 to 1000 with add_noise, and back with remove_noise
    dial.html       the dial in a browser: a slider over t, the way up and its mirror, the
                    way back, each with what a correct result looks like and what yours measures
    compare.png     (--compare) the strip of the submission above the reference's

``Dial(code, image)`` calls ``code.cosine_schedule``, ``code.add_noise`` and
``code.remove_noise``, where ``code`` is the student's file in the grader's
isolated worker (never this process) or the reference. Every ``add_noise`` call
is seeded with the same seed, so every timestep mixes in the same static and
the frames change only with the level; a correct submission therefore gives
exactly the reference's frames. When a function fails, the figures that need it
are skipped with the one-line reason. Matplotlib draws on ``Figure`` objects
with the Agg canvas only, so no display is ever needed.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from string import Template

import numpy as np
from matplotlib.figure import Figure
from PIL import Image, ImageDraw
from tqdm import tqdm

from autograder.figures import tools
from autograder.figures.images import to_uint8
from autograder.figures.tools import FigureSkipped, StudentCalls, describe, save_png
from autograder.interface import StudentError

T = 1000
SEED = 0
STRIP_STEPS = (0, 100, 250, 500, 750, 1000)
HISTOGRAM_STEPS = (0, 250, 500, 750, 1000)
# 21 frames up and 20 down: smooth enough, and the GIF stays under a megabyte at 128 px.
DIAL_STEP = 50
DPI = 100
ALPHA_BAR = r"$\bar\alpha$"


# The README shows these two, drawn from the reference (make readme-images).
README_FIGURES = ("strip", "schedule")


def figures(code, image, reference=None):
    """The figures in the order they are drawn: (name, draw into a folder) pairs."""
    dial = Dial(code, image)
    builders = [
        ("schedule", lambda out: schedule_figure(dial, out)),
        ("betas", lambda out: betas_figure(dial, out)),
        ("strip", lambda out: strip_figure(dial, out)),
        ("steps", lambda out: steps_figure(dial, out)),
        ("histograms", lambda out: histogram_figure(Dial(code, standardised(dial.image)), out)),
        ("dial", lambda out: dial_animation(dial, out)),
        ("dial_page", lambda out: dial_page(dial, out, way_down=lambda stops: _way_down(code, image, stops))),
    ]
    if reference is not None:
        builders.append(("compare", lambda out: comparison_strip(dial, Dial(reference, image), out)))
    return builders


class Dial:
    """The forward process of one image under a submission, with each answer computed once."""

    def __init__(self, code, image: np.ndarray, steps: int = T):
        self.code = code
        self.image = np.asarray(image, dtype=np.float64)
        self.T = steps
        self._schedule: np.ndarray | None = None
        self._noisy: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._betas: np.ndarray | None = None
        self._call = StudentCalls(code)  # a broken function is asked only once
        self._fail = self._call.fail

    def schedule(self) -> np.ndarray:
        """``cosine_schedule(T)`` as float64, as long as it is a 1-D array of numbers (any length)."""
        if self._schedule is None:
            result = self._call("cosine_schedule", self.T)
            if not (isinstance(result, np.ndarray) and result.ndim == 1 and result.size and result.dtype.kind in "iuf"):
                self._fail(
                    "cosine_schedule",
                    f"cosine_schedule({self.T}) returned {describe(result)}, not a 1-D array of numbers",
                )
            self._schedule = result.astype(np.float64)
        return self._schedule

    def levels(self) -> np.ndarray:
        """The schedule, required to hold one level per timestep t = 0..T."""
        alpha_bar = self.schedule()
        if alpha_bar.shape != (self.T + 1,):
            raise FigureSkipped(
                f"cosine_schedule({self.T}) returned shape {alpha_bar.shape}; the frames need "
                f"({self.T + 1},), one level per t = 0..{self.T}"
            )
        return alpha_bar

    def noisy(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """``(x_t, eps) = add_noise(image, alpha_bar[t])`` with the dial's seed."""
        if t not in self._noisy:
            level = float(self.levels()[t])
            self._noisy[t] = self._pair(self._call("add_noise", self.image, level, seed=SEED))
        return self._noisy[t]

    def betas(self) -> np.ndarray:
        """``betas_from_alpha_bar`` of the schedule, as long as it is a 1-D array of numbers."""
        if self._betas is None:
            result = self._call("betas_from_alpha_bar", self.schedule())
            if not (isinstance(result, np.ndarray) and result.ndim == 1 and result.size and result.dtype.kind in "iuf"):
                self._fail("betas_from_alpha_bar", f"betas_from_alpha_bar returned {describe(result)}, not a 1-D array")
            self._betas = result.astype(np.float64)
        return self._betas

    def walk(self, stops) -> dict[int, np.ndarray]:
        """x_t after steps 1..t of ``noise_step`` from the image, for each t of ``stops``.

        The betas come from the schedule itself, not from betas_from_alpha_bar,
        so that this figure shows noise_step alone. The steps run inside the
        submission's process, one stretch between two stops per call.
        """
        alpha_bar = self.levels()
        betas = -np.diff(alpha_bar) / alpha_bar[:-1]
        x, at, walked = self.image, 0, {}
        self.code.seed(SEED)
        for stop in sorted(stops):
            if stop > at:
                try:
                    x = self.code.chain("noise_step", x, betas[at:stop])
                except StudentError as error:
                    self._fail("noise_step", str(error).splitlines()[0])
                self._check_image("noise_step", x)
                x = np.asarray(x, dtype=np.float64)
            walked[stop], at = x, stop
        return walked

    def frames(self, steps) -> list[np.ndarray]:
        """``x_t`` for each t of ``steps``."""
        return [self.noisy(t)[0] for t in steps]

    def step_back(self, t_from: int, t_to: int) -> np.ndarray:
        """One notch back: remove the true noise from x_{t_from}, then noise the result to level t_to.

        This is how the reverse process will walk down the dial once a network
        predicts the noise; here the noise is known exactly.
        """
        alpha_bar = self.levels()
        x_from, eps = self.noisy(t_from)
        recovered = self._call("remove_noise", x_from, eps, float(alpha_bar[t_from]))
        self._check_image("remove_noise", recovered)
        return self._pair(self._call("add_noise", recovered, float(alpha_bar[t_to]), seed=SEED))[0]

    # -- checking what comes back -------------------------------------------------------
    def _pair(self, result) -> tuple[np.ndarray, np.ndarray]:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            self._fail("add_noise", f"add_noise returned {describe(result)}, not a pair (xt, eps)")
        for item in result:
            self._check_image("add_noise", item)
        return np.asarray(result[0], dtype=np.float64), np.asarray(result[1], dtype=np.float64)

    def _check_image(self, function: str, value) -> None:
        if not (isinstance(value, np.ndarray) and value.shape == self.image.shape and value.dtype.kind in "iuf"):
            self._fail(
                function,
                f"{function} returned {describe(value)} where an array of the image's "
                f"shape {self.image.shape} was expected",
            )


# -- the schedule ---------------------------------------------------------------------
def schedule_figure(dial: Dial, out: Path) -> Path:
    """alpha_bar and the two blend weights against t; log SNR for t >= 1."""
    alpha_bar = dial.schedule()
    t = np.arange(alpha_bar.size)
    figure = Figure(figsize=(10, 3.6), dpi=DPI, layout="constrained")
    weights, snr = figure.subplots(1, 2)
    weights.plot(t, alpha_bar, label=ALPHA_BAR + " (share of the image's variance)")
    with np.errstate(invalid="ignore"):
        weights.plot(t, np.sqrt(alpha_bar), label=r"$\sqrt{\bar\alpha}$ (weight of the image)")
        weights.plot(t, np.sqrt(1 - alpha_bar), label=r"$\sqrt{1-\bar\alpha}$ (weight of the noise)")
    weights.set(xlabel="timestep t", ylabel="value", xlim=(0, max(int(t[-1]), dial.T, 1)))
    weights.set_title(_level_count(alpha_bar.size, dial.T), fontsize=9)
    weights.axhline(0, color="0.7", linewidth=0.8)
    _mark_the_last_levels(weights, alpha_bar, dial.T)
    figure.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_snr = np.log(alpha_bar[1:] / (1 - alpha_bar[1:]))
    shown = np.isfinite(log_snr)
    snr.plot(t[1:][shown], log_snr[shown], color="C3")
    snr.axhline(0, color="0.7", linewidth=0.8)
    snr.set(
        xlabel="timestep t (from 1)",
        ylabel=r"$\log\,\bar\alpha\,/\,(1-\bar\alpha)$",
        title="log signal-to-noise ratio",
        xlim=(0, max(int(t[-1]), 1)),
    )
    snr.text(
        0.98,
        0.3,
        "0: signal and noise equally strong",
        transform=snr.get_yaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=8,
        color="0.4",
    )
    if shown.sum() > 2:
        _leave_out_the_last_level(snr, t[1:][shown], log_snr[shown])
    return save_png(figure, out / "schedule.png")


def _level_count(levels: int, steps: int) -> str:
    """The schedule plot's title: how many levels there are against the T + 1 there should be."""
    if levels == steps + 1:
        return f"your schedule: {levels} levels, t = 0..{steps} (T + 1: right)"
    return f"your schedule: {levels} levels; T = {steps} needs T + 1 = {steps + 1}"


def _mark_the_last_levels(ax, alpha_bar, steps: int, shown: int = 4) -> None:
    """A zoom on the last timesteps, one dot per level: a missing level at t = T shows as a hollow ring."""
    zoom = ax.inset_axes((0.56, 0.42, 0.4, 0.4))
    first = max(0, steps - shown)
    t = np.arange(first, min(alpha_bar.size, steps + 1))
    zoom.plot(t, alpha_bar[t], "o-", color="C0", markersize=4, linewidth=0.8)
    if alpha_bar.size <= steps:
        zoom.plot([steps], [0.0], "o", markerfacecolor="white", markeredgecolor="C3", markersize=6)
        zoom.annotate(
            f"no level for t = {steps}",
            (steps, 0.0),
            xytext=(-4, 10),
            textcoords="offset points",
            ha="right",
            fontsize=7,
            color="C3",
        )
    else:
        zoom.annotate(
            f"t = {steps}: {_level(alpha_bar[steps])}",
            (steps, alpha_bar[steps]),
            xytext=(-4, 10),
            textcoords="offset points",
            ha="right",
            fontsize=7,
            color="0.3",
        )
    zoom.set_xticks(range(first, steps + 1))
    zoom.set_xlim(first - 0.5, steps + 0.5)
    zoom.tick_params(labelsize=6)
    zoom.set_title(f"the last levels, up to t = T = {steps}", fontsize=7)


# -- betas and noise_step ---------------------------------------------------------------
def betas_figure(dial: Dial, out: Path) -> Path:
    """beta_t against t on a log scale, and the schedule rebuilt from the betas on top of the schedule."""
    alpha_bar = dial.levels()
    betas = dial.betas()
    figure = Figure(figsize=(10, 3.4), dpi=DPI, layout="constrained")
    per_step, rebuilt = figure.subplots(1, 2)
    t = np.arange(1, betas.size + 1)
    _plot_betas(per_step, t, betas)
    per_step.set_xlim(0, dial.T)
    count = "one per step t = 1..T" if betas.size == dial.T else f"T = {dial.T} steps need {dial.T}"
    per_step.set_title(f"your betas: {betas.size} values\n({count})", fontsize=9)
    with np.errstate(all="ignore"):
        product = np.cumprod(1 - betas)
    steps = np.arange(alpha_bar.size)
    rebuilt.plot(steps, alpha_bar, color="C0", linewidth=3, alpha=0.4, label=ALPHA_BAR + " (your schedule)")
    rebuilt.plot(t, product, color="C2", linewidth=1, label=r"$\prod_{s \leq t}(1-\beta_s)$ (from your betas)")
    size = min(product.size, alpha_bar.size - 1)
    error = float(np.max(np.abs(product[:size] - alpha_bar[1 : size + 1]))) if size else float("nan")
    right = betas.size == alpha_bar.size - 1 and error < 1e-9
    rebuilt.set(xlabel="timestep t", ylabel="value", xlim=(0, dial.T))
    rebuilt.set_title(
        f"the betas should rebuild the schedule\nlargest gap {error:.2g} ({'right' if right else 'not right'})",
        fontsize=9,
    )
    rebuilt.legend(fontsize=8, frameon=False)
    return save_png(figure, out / "betas.png")


def _plot_betas(ax, t: np.ndarray, betas: np.ndarray) -> None:
    """beta_t against t: on a log scale when every beta is positive, else on a scale that shows 0 and negatives.

    A log axis cannot show a beta of 0 or below; such betas are drawn where they
    are (a symmetric log scale, linear around 0) and counted in a note, never
    clipped to a small positive number.
    """
    finite = np.isfinite(betas)
    positive = finite & (betas > 0)
    ax.set_xlabel("step t")
    if positive.all():
        ax.semilogy(t, betas, color="C2")
        ax.set_ylabel(r"$\beta_t$ (log scale)")
    else:
        smallest = float(np.min(np.abs(betas[finite & (betas != 0)]))) if (finite & (betas != 0)).any() else 1.0
        ax.plot(t[finite], betas[finite], color="C2")
        ax.set_yscale("symlog", linthresh=max(smallest, 1e-12))
        ax.axhline(0, color="0.5", linewidth=0.8)
        ax.set_ylabel(r"$\beta_t$ (log scale each side of 0)")
        below = int(np.count_nonzero(finite & (betas < 0)))
        zero = int(np.count_nonzero(finite & (betas == 0)))
        parts = [f"{n} {word}" for n, word in ((below, "negative"), (zero, "exactly 0")) if n]
        if not finite.all():
            parts.append(f"{int(np.count_nonzero(~finite))} not finite (not drawn)")
        ax.text(
            0.03,
            0.5,
            f"of {betas.size} betas: {', '.join(parts)}"
            + (";\neach beta_t must lie in [0, 1]" if below else "\n(a log axis cannot show them)"),
            transform=ax.transAxes,
            va="center",
            fontsize=8,
            color="C3",
            bbox={"facecolor": "white", "edgecolor": "C3", "alpha": 0.9},
        )
    last = float(betas[-1])
    ax.annotate(
        f"last beta: {last:.6g} (the step into static is 1)",
        (t[-1], last if np.isfinite(last) else 0.0),
        # Below a positive last beta, above one that is 0 or less (the bottom of the axes).
        xytext=(-6, -14 if last > 0 else 10),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color="0.3",
    )


STEPS_SHOWN = (0, 250, 500, 750, 1000)


def steps_figure(dial: Dial, out: Path) -> Path:
    """Top row one add_noise jump to each t, bottom row steps 1..t of noise_step: they should look alike."""
    alpha_bar = dial.levels()
    walked = dial.walk(STEPS_SHOWN)
    figure = Figure(figsize=(2.2 * len(STEPS_SHOWN), 5.4), dpi=DPI, layout="constrained")
    axes = figure.subplots(2, len(STEPS_SHOWN))
    for column, t in enumerate(STEPS_SHOWN):
        jump, steps = dial.noisy(t)[0], walked[t]
        noise = steps - np.sqrt(alpha_bar[t]) * dial.image
        for row, (picture, title) in enumerate(
            ((jump, f"t = {t}: one jump"), (steps, f"{t} steps: noise std {noise.std():.2f}"))
        ):
            ax = axes[row, column]
            ax.imshow(to_uint8(picture), interpolation="nearest")
            ax.set_title(title, fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[1, column].set_xlabel(f"correct: {np.sqrt(max(1 - alpha_bar[t], 0)):.2f}", fontsize=8)
    axes[0, 0].set_ylabel("add_noise(x0, " + ALPHA_BAR + "[t])", fontsize=8)
    axes[1, 0].set_ylabel("noise_step, t times", fontsize=8)
    figure.suptitle("many small steps land where one jump lands (the noise differs, its amount does not)", fontsize=10)
    return save_png(figure, out / "steps.png")


# -- the strip and its comparison -------------------------------------------------------
def strip_figure(dial: Dial, out: Path) -> Path:
    """The image at each t of STRIP_STEPS, labelled with t and alpha_bar."""
    figure = _strip([("", dial)])
    return save_png(figure, out / "strip.png")


def comparison_strip(submission: Dial, reference: Dial, out: Path) -> Path:
    """The submission's strip above the reference's, same image and same noise: they should match.

    Only pictures are saved: no reference value is printed.
    """
    figure = _strip([("your code", submission), ("expected", reference)])
    figure.suptitle(
        f"same image, same noise (seed {SEED}): the two rows should look the same",
        fontsize=10,
        y=1 - 4 / figure.bbox.height,
        va="top",
    )
    return save_png(figure, out / "compare.png")


PANEL_SIDE = 128  # strip panels are the image zoomed by a whole factor to about this many pixels
PANEL_GAP = 8
TITLE_HEIGHT = 36
ROW_LABEL_WIDTH = 26
MARGIN = 6


@dataclass(frozen=True)
class StripLayout:
    """Where a strip's panels go, in whole pixels, for images of one shape."""

    panel_w: int
    panel_h: int
    left: int
    top: int
    rows: int

    @classmethod
    def for_image(cls, shape, rows: int = 1) -> StripLayout:
        height, width = shape[:2]
        zoom = max(1, PANEL_SIDE // max(height, width))
        # A row label needs a left margin; a comparison's title needs room above.
        return cls(
            width * zoom, height * zoom, ROW_LABEL_WIDTH if rows > 1 else MARGIN, (24 if rows > 1 else 0) + MARGIN, rows
        )

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the whole figure in pixels."""
        width = self.left + len(STRIP_STEPS) * (self.panel_w + PANEL_GAP) - PANEL_GAP + MARGIN
        return width, self.top + self.rows * (TITLE_HEIGHT + self.panel_h) + MARGIN

    def panel(self, row: int, column: int) -> tuple[float, float, float, float]:
        """The axes rectangle of one panel, as figure fractions (matplotlib's origin is bottom left)."""
        width, height = self.size
        x = self.left + column * (self.panel_w + PANEL_GAP)
        y = height - (self.top + (row + 1) * (TITLE_HEIGHT + self.panel_h))
        return x / width, y / height, self.panel_w / width, self.panel_h / height


def _strip(rows) -> Figure:
    """Panels placed at whole-pixel positions, so every row is drawn pixel for pixel alike."""
    frames = [(label, dial.frames(STRIP_STEPS), dial.levels()) for label, dial in rows]
    layout = StripLayout.for_image(frames[0][1][0].shape, len(rows))
    width, height = layout.size
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    for row, (label, images, alpha_bar) in enumerate(frames):
        for column, (t, image) in enumerate(zip(STRIP_STEPS, images, strict=True)):
            ax = figure.add_axes(layout.panel(row, column))
            ax.imshow(to_uint8(image), interpolation="nearest", aspect="auto")
            ax.set_title(f"t = {t}\n{ALPHA_BAR} = {_level(alpha_bar[t])}", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
            if column == 0 and label:
                ax.set_ylabel(label, fontsize=10, labelpad=4)
    return figure


# -- the histograms ---------------------------------------------------------------------
def standardised(image: np.ndarray) -> np.ndarray:
    """The image shifted and scaled to mean 0 and variance 1, so that unit variance shows at every t."""
    spread = float(image.std())
    return (image - image.mean()) / (spread if spread > 0 else 1.0)


def histogram_figure(dial: Dial, out: Path) -> Path:
    """Pixel values of x_t at a few t against the standard normal density (draw it with a standardised image)."""
    alpha_bar = dial.levels()
    frames = dial.frames(HISTOGRAM_STEPS)
    figure = Figure(figsize=(2.2 * len(HISTOGRAM_STEPS), 2.6), dpi=DPI, layout="constrained")
    axes = figure.subplots(1, len(HISTOGRAM_STEPS), sharex=True)
    grid = np.linspace(-4, 4, 201)
    normal = np.exp(-(grid**2) / 2) / math.sqrt(2 * math.pi)
    for ax, t, frame in zip(axes, HISTOGRAM_STEPS, frames, strict=True):
        values = np.nan_to_num(frame.ravel(), nan=0.0, posinf=4.0, neginf=-4.0)
        ax.hist(np.clip(values, -4, 4), bins=64, range=(-4, 4), density=True, color="C0", alpha=0.75)
        ax.plot(grid, normal, color="C3", linewidth=1.5)
        ax.set_title(f"t = {t}, {ALPHA_BAR} = {_level(alpha_bar[t])}", fontsize=9)
        ax.text(
            0.03,
            0.97,
            f"mean {values.mean():+.2f}\nstd {values.std():.2f}",
            transform=ax.transAxes,
            va="top",
            fontsize=8,
            color="0.3",
        )
        ax.tick_params(labelsize=7)
        ax.set_xticks([-3, -2, -1, 0, 1, 2, 3])
        ax.set_xlabel("pixel value")
    axes[0].set_ylabel("density")
    figure.suptitle(
        "the picture standardised to mean 0 and variance 1: a correct add_noise keeps std 1 at every t, "
        "and at t = 1000 the pixels follow the curve",
        fontsize=9,
    )
    figure.legend(
        handles=[axes[0].patches[0], axes[0].lines[0]],
        labels=[r"pixels of $x_t$", "standard normal"],
        loc="outside lower center",
        ncols=2,
        fontsize=8,
    )
    return save_png(figure, out / "histograms.png")


# -- the animation ------------------------------------------------------------------------
def dial_animation(dial: Dial, out: Path, step: int = DIAL_STEP) -> Path:
    """A GIF from t = 0 up to T with add_noise, then back down to 0 with remove_noise."""
    alpha_bar = dial.levels()
    up = list(range(0, dial.T + 1, step))
    pictures = []
    for t in tqdm(up, desc="add_noise, 0 -> T", unit="frame", leave=False, disable=None):
        pictures.append(_gif_frame(dial.noisy(t)[0], t, dial.T, alpha_bar[t], forward=True))
    for t in tqdm(up[-2::-1], desc="remove_noise, T -> 0", unit="frame", leave=False, disable=None):
        pictures.append(_gif_frame(dial.step_back(t + step, t), t, dial.T, alpha_bar[t], forward=False))
    # Linger on the clean image, on pure static, and on the recovered image.
    durations = [100] * len(pictures)
    durations[0] = durations[len(up) - 1] = durations[-1] = 700
    return tools.save_gif(pictures, out / "dial.gif", durations)


# -- the dial in a browser ------------------------------------------------------------------
PAGE_STEP = 20  # the slider's notch: 51 positions from t = 0 to T, each with both pictures
# How far the way back may be from the way up and still count as its mirror: the rounding
# of float64 (64 units in the last place of the largest pixel), amplified as remove_noise
# divides by sqrt(alpha_bar) one notch up and add_noise multiplies by sqrt(alpha_bar) here.
# From t = T, where sqrt(alpha_bar) is about 6e-17, that allows anything: nothing of the
# picture is left in pure static, even with the true noise.
MIRROR_ULPS = 64
STD_TOLERANCE = 0.05  # a pixel standard deviation within this of the correct one counts as right


def dial_page(dial: Dial, out: Path, way_down=None) -> Path:
    """build/figures/dial.html: one self-contained page with a slider over t, images inline.

    ``way_down(stops)`` gives ({t: picture}, note) of Part 3's sampler, or (None, why): with
    pictures, the page shows a third panel, the dial run backwards from fresh static.
    """
    path = out / "dial.html"
    try:
        positions = _page_positions(dial)
    except FigureSkipped:
        path.unlink(missing_ok=True)  # an older page would show code that has changed since
        raise
    down, note = way_down([p["t"] for p in positions]) if way_down is not None else (None, "")
    for position in positions if down else ():
        position["down"] = _data_uri(down[position["t"]])
    summary = _page_summary(positions) + (f" {note}" if note else "")
    data = json.dumps({"T": dial.T, "step": PAGE_STEP, "positions": positions, "summary": summary})
    path.write_text(PAGE.substitute(data=data.replace("</", "<\\/")), encoding="utf-8")
    return path


def _way_down(code, image: np.ndarray, stops) -> tuple[dict | None, str]:
    """Part 3's backwards run on this picture with the student's reverse.py, when the course has Part 3."""
    from autograder.course import UnknownAssignment, get_assignment  # noqa: PLC0415 - only the dial page asks
    from autograder.figures.declared import load_figures  # noqa: PLC0415

    try:
        part3 = load_figures(get_assignment("ch01_reverse"))
    except UnknownAssignment:
        return None, ""
    return part3.way_down(getattr(code, "path", None), image, stops)


def _page_positions(dial: Dial) -> list[dict]:
    alpha_bar = dial.levels()
    stops = list(range(0, dial.T + 1, PAGE_STEP))
    up = {t: dial.noisy(t)[0] for t in tqdm(stops, desc="dial page, add_noise", unit="t", leave=False, disable=None)}
    back = {dial.T: up[dial.T]}  # the way back starts from the same static
    for t in tqdm(stops[-2::-1], desc="dial page, remove_noise", unit="t", leave=False, disable=None):
        back[t] = dial.step_back(t + PAGE_STEP, t)
    variance = float(dial.image.var())
    notch = _notch_width(up)
    positions = []
    for t in stops:
        level = float(alpha_bar[t])
        positions.append(
            {
                "t": t,
                "level": _level(level),
                "image_weight": f"{math.sqrt(max(level, 0.0)):.3f}",
                "noise_weight": f"{math.sqrt(max(1 - level, 0.0)):.3f}",
                "up": _data_uri(up[t]),
                "back": _data_uri(back[t]),
                **_up_verdict(t, dial.T, level, variance, up[t]),
                **_back_verdict(t, back[t], up, _mirror_tolerance(alpha_bar, t, up), notch),
            }
        )
    return positions


def _up_verdict(t: int, steps: int, level: float, variance: float, xt: np.ndarray) -> dict:
    """What a correct add_noise gives at this t (pixel spread), and what the submission's measures."""
    expected = math.sqrt(max(level * variance + (1 - level), 0.0))
    measured = float(np.std(xt))
    ok = bool(np.isfinite(measured) and abs(measured - expected) <= STD_TOLERANCE)
    if t == steps:
        correct = "Correct: pure static, nothing of the picture left; pure static has standard deviation 1."
        yours = f"At t = {t} your pixels have standard deviation {measured:.2f}; pure static has 1."
    else:
        correct = (
            f"Correct: sqrt({ALPHA_PLAIN}) = {math.sqrt(max(level, 0)):.3f} of the picture plus "
            f"sqrt(1 - {ALPHA_PLAIN}) = {math.sqrt(max(1 - level, 0)):.3f} of static: pixels with "
            f"standard deviation {expected:.2f} (the picture alone has {math.sqrt(variance):.2f}, static 1)."
        )
        yours = f"At t = {t} your pixels have standard deviation {measured:.2f}."
    verdict = "right" if ok else f"off by more than {STD_TOLERANCE} from {expected:.2f}"
    return {"up_correct": correct, "up_yours": f"{yours.rstrip('.')}: {verdict}.", "up_ok": ok}


def _mirror_tolerance(alpha_bar: np.ndarray, t: int, up: dict[int, np.ndarray]) -> float:
    above = min(t + PAGE_STEP, int(alpha_bar.size - 1))
    if above == t:
        return 0.0
    size = float(np.max(np.abs(up[above]))) if np.all(np.isfinite(up[above])) else 1.0
    with np.errstate(all="ignore"):
        amplified = math.sqrt(max(float(alpha_bar[t]), 0.0) / max(float(alpha_bar[above]), 1e-300))
    return MIRROR_ULPS * float(np.finfo(np.float64).eps) * max(size, 1.0) * max(amplified, 1.0)


def _rms(a: np.ndarray, b: np.ndarray) -> float:
    """Root mean square difference per pixel (inf when either holds NaN or inf)."""
    with np.errstate(all="ignore"):
        value = float(np.sqrt(np.mean((a - b) ** 2)))
    return value if math.isfinite(value) else math.inf


def _notch_width(up: dict[int, np.ndarray]) -> float:
    """The largest RMS difference between the way up at two neighbouring notches of the slider.

    A picture of the way back closer than this to some picture of the way up
    looks like that level; farther from all of them, it looks like none.
    """
    stops = sorted(up)
    return max((_rms(up[a], up[b]) for a, b in itertools.pairwise(stops)), default=0.0)


def _back_verdict(t: int, x: np.ndarray, up: dict[int, np.ndarray], tolerance: float, notch: float) -> dict:
    """Whether the way back at t is the way up at t; if not, which t of the way up it looks like, if any.

    "Looks like" is measured: the RMS difference to the nearest picture of the way
    up is within ``notch``, the largest difference between two neighbouring notches.
    """
    gap = float(np.max(np.abs(x - up[t]))) if np.all(np.isfinite(x)) else math.inf
    ok = gap <= tolerance
    correct = (
        f"Correct: the mirror of the way up, the very picture on the left at t = {t} (remove_noise, "
        f"given the true noise, recovers x0 exactly, and the same noise is added back)."
    )
    if tolerance == 0:
        correct = "The way back starts here, from the very static the way up ended in."
        yours = "Drag the slider down to walk back with your remove_noise."
    elif ok and tolerance > 0.01:
        yours = (
            f"Yours differs from the way up by {gap:.2g}: right, since one notch up is pure static "
            f"and rounding alone may move this picture by up to {min(tolerance, 99):.2g}."
        )
    elif ok:
        yours = f"Yours differs from the way up by at most {gap:.1g}: right (float64 rounding allows {tolerance:.1g})."
    else:
        yours = f"Yours differs from the way up by up to {gap:.3g}{_likeness(t, x, up, notch)}: not a mirror."
    return {"back_correct": correct, "back_yours": yours, "back_ok": ok}


def _likeness(t: int, x: np.ndarray, up: dict[int, np.ndarray], notch: float) -> str:
    """Which picture of the way up ``x`` is nearest, and whether it is near enough to look like it."""
    distances = {s: _rms(up[s], x) for s in up}
    nearest = min(distances, key=distances.__getitem__)
    distance = distances[nearest]
    if not math.isfinite(distance):
        return "; it holds NaN or inf, so it looks like no level"
    if distance > notch:
        return (
            f"; it is far from every level of the way up: the nearest, t = {nearest}, is {distance:.2g} away "
            f"per pixel (RMS), more than the {notch:.2g} between any two neighbouring notches"
        )
    if nearest == t:
        return ""
    return (
        f"; it looks most like the way up at t = {nearest} ({distance:.2g} away per pixel, RMS, within the "
        f"{notch:.2g} between neighbouring notches)"
    )


def _page_summary(positions: list[dict]) -> str:
    up = sum(p["up_ok"] for p in positions)
    back = sum(p["back_ok"] for p in positions)
    n = len(positions)
    return f"Your add_noise looks right at {up} of {n} positions; your way back mirrors the way up at {back} of {n}."


def _data_uri(x: np.ndarray) -> str:
    buffer = io.BytesIO()
    # zlib's default level: ``optimize`` spent half the page's time on 102 small pictures for a few bytes.
    Image.fromarray(to_uint8(x)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


ALPHA_PLAIN = "alpha_bar"
PAGE = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>The dial: your forward process, t = 0 to static and back</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 960px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
.dial { display: flex; align-items: center; gap: 12px; margin: 18px 0 8px; }
.dial input { flex: 1; }
.numbers { font-variant-numeric: tabular-nums; margin-bottom: 14px; }
.numbers b { font-size: 18px; }
.panels { display: flex; gap: 28px; flex-wrap: wrap; }
figure { margin: 0; flex: 1; min-width: 300px; }
figure img { width: 256px; height: 256px; image-rendering: pixelated; border: 1px solid #ccc; display: block; }
figcaption { margin-top: 8px; }
.up h2 { color: #d66018; } .back h2 { color: #2060c8; } .down h2 { color: #6a3fb0; }
h2 { font-size: 16px; margin: 0 0 6px; }
.ok { color: #176c2c; } .bad { color: #b3261e; font-weight: 600; }
#summary { padding: 8px 12px; background: #f4f4f4; border-radius: 6px; }
</style>
</head>
<body>
<h1>The dial</h1>
<p>Your own <code>add_noise</code> takes the picture from timestep 0 to pure static; your
<code>remove_noise</code> brings it back. Drag the slider (or use the arrow keys).</p>
<p id="summary"></p>
<div class="dial">
  <label for="t">t</label>
  <input id="t" type="range" min="0" max="1000" step="20" value="0" aria-describedby="numbers">
</div>
<div class="numbers" id="numbers">
  t = <b id="t-value"></b> &middot; level alpha_bar = <b id="level"></b> &middot;
  image weight sqrt(alpha_bar) = <b id="image-weight"></b> &middot;
  noise weight sqrt(1 - alpha_bar) = <b id="noise-weight"></b>
</div>
<div class="panels">
  <figure class="up">
    <h2>Way up: add_noise(x0, alpha_bar[t])</h2>
    <img id="up" alt="your add_noise at this t">
    <figcaption><span id="up-correct"></span><br><span id="up-yours"></span></figcaption>
  </figure>
  <figure class="back">
    <h2>Way back: remove_noise, mirror of the way up</h2>
    <img id="back" alt="the way back at this t">
    <figcaption><span id="back-correct"></span><br><span id="back-yours"></span></figcaption>
  </figure>
  <figure class="down" id="down-panel" hidden>
    <h2>Way down: your reverse.py, from fresh static</h2>
    <img id="down" alt="your sampler at this t">
    <figcaption>Part 3: every 4 x 4 patch drawn anew by predict_noise and reverse_step, from static at
    t = 1000 to new patches at t = 0. Nothing of the picture is used but its patches' mean and covariance.</figcaption>
  </figure>
</div>
<script id="dial-data" type="application/json">$data</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("dial-data").textContent);
const slider = document.getElementById("t");
slider.max = data.T;
slider.step = data.step;
document.getElementById("summary").textContent = data.summary;
function text(id, value) { document.getElementById(id).textContent = value; }
function verdict(id, value, ok) {
  const element = document.getElementById(id);
  element.textContent = value;
  element.className = ok ? "ok" : "bad";
}
function show() {
  const p = data.positions[Math.round(Number(slider.value) / data.step)];
  text("t-value", p.t);
  text("level", p.level);
  text("image-weight", p.image_weight);
  text("noise-weight", p.noise_weight);
  document.getElementById("up").src = p.up;
  document.getElementById("back").src = p.back;
  document.getElementById("down-panel").hidden = !p.down;
  if (p.down) document.getElementById("down").src = p.down;
  text("up-correct", p.up_correct);
  verdict("up-yours", p.up_yours, p.up_ok);
  text("back-correct", p.back_correct);
  verdict("back-yours", p.back_yours, p.back_ok);
}
slider.addEventListener("input", show);
show();
</script>
</body>
</html>
""")


GIF_MIN_SIDE = 128
BAND_HEIGHT = 57


def _gif_frame(x: np.ndarray, t: int, steps: int, level: float, forward: bool) -> Image.Image:
    """One frame: the image (scaled up to at least GIF_MIN_SIDE px) over a band with t, alpha_bar, direction."""
    picture = Image.fromarray(to_uint8(x))
    scale = max(1, GIF_MIN_SIDE // max(picture.size))
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    width = max(GIF_MIN_SIDE, picture.width)
    frame = Image.new("RGB", (width, picture.height + BAND_HEIGHT), "white")
    frame.paste(picture, ((width - picture.width) // 2, 0))
    draw = ImageDraw.Draw(frame)
    font = tools.font(11)
    top = picture.height + 3
    draw.text((4, top), f"t = {t}", fill="black", font=font)
    draw.text((4, top + 13), f"alpha_bar = {_level(level)}", fill="black", font=font)
    colour = (214, 96, 24) if forward else (32, 96, 200)
    direction = "add_noise  -->" if forward else "<--  remove_noise"
    draw.text((4, top + 26), direction, fill=colour, font=font)
    draw.text((4, top + 39), "the way up" if forward else "mirror of the way up", fill=colour, font=font)
    # The dial's position: a bar filled in proportion to t.
    draw.rectangle((0, frame.height - 3, round(width * t / steps), frame.height), fill=colour)
    return frame


# -- helpers ------------------------------------------------------------------------------------
def _level(value: float) -> str:
    """alpha_bar for a label: three significant digits, scientific notation when tiny."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return f"{value:.3f}" if abs(value) >= 0.001 or value == 0 else f"{value:.1e}"


def _leave_out_the_last_level(ax, t, values):
    """Fit the y range to t < T and point to the value at T when it lies outside.

    The schedule's last level is ~0 by design (about 4e-33 for the cosine), so
    its log SNR (about -75) would squash the rest of the curve into a flat line.
    """
    low, high = values[:-1].min(), values[:-1].max()
    pad = 0.06 * max(high - low, 1.0)
    ax.set_ylim(low - pad, high + pad)
    last = values[-1]
    if not low - pad <= last <= high + pad:
        edge = low - pad if last < low else high + pad
        ax.annotate(
            f"t = {t[-1]}: {last:.1f}, off the chart",
            xy=(t[-1], edge),
            xytext=(-10, 12 if last < low else -12),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8,
            color="C3",
            arrowprops={"arrowstyle": "->", "color": "C3"},
        )
