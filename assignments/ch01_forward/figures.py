"""The figures of Chapter 1: one picture taken to static and back by the student's own functions.

    make figures [SUBMISSION=path] [IMAGE=photo.jpg]       (python -m autograder figures ASSIGNMENT ...)

Saves under the out folder (default build/figures/):
    schedule.png    alpha_bar, sqrt(alpha_bar), sqrt(1 - alpha_bar) and log SNR against t
    strip.png       the image at t = 0, 100, 250, 500, 750, 1000
    histograms.png  pixel values at a few t against the standard normal density
    dial.gif        t from 0 to 1000 with add_noise, and back with remove_noise
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

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from PIL import Image, ImageDraw
from tqdm import tqdm

from autograder.figures import tools
from autograder.figures.images import to_uint8
from autograder.figures.tools import FigureSkipped, StudentCalls, describe, save_png

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
        ("strip", lambda out: strip_figure(dial, out)),
        ("histograms", lambda out: histogram_figure(dial, out)),
        ("dial", lambda out: dial_animation(dial, out)),
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
    weights.set(xlabel="timestep t", ylabel="value", title="cosine schedule", xlim=(0, max(int(t[-1]), 1)))
    weights.axhline(0, color="0.7", linewidth=0.8)
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
def histogram_figure(dial: Dial, out: Path) -> Path:
    """Pixel values of x_t at a few t against the standard normal density."""
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
    path = out / "dial.gif"
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=durations, loop=0)
    return path


GIF_MIN_SIDE = 128
BAND_HEIGHT = 44


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
