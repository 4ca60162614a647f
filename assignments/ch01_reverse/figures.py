"""The figures of Chapter 1, Part 3: the dial run backwards with the student's own functions.

    make figures ASSIGNMENT=ch01_reverse [SUBMISSION=path] [IMAGE=photo.jpg]

Saves under the out folder (default build/figures/):
    reverse.png   static turning into new patches: a few runs, one column per step t
    mosaic.png    every patch of the picture replaced by a new one, at a few t of one run
    samples.png   new patches from generate beside real patches of the picture
    guess.png     predict_noise's guess beside the noise that was added, at a few levels

``Backwards(code, image)`` cuts the picture into 4 x 4 patches with the
student's extract_patches, fits them with fit_gaussian, and walks down the
dial from static with predict_noise and reverse_step, one call per step in the
grader's isolated worker, drawing x_T and every z from a fixed seed; a
correct submission therefore draws exactly the reference's pictures. The
schedule is the capped cosine one of the assignment (1000 steps). Part 1's
dial page (make figures ASSIGNMENT=ch01_forward) shows the same walk over the
whole picture beside the way up, through ``way_down``. When a function fails, the figures
that need it are skipped with the one-line reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from tqdm import tqdm

from autograder.figures.images import to_uint8
from autograder.figures.tools import FigureSkipped, StudentCalls, describe, save_png

T = 1000
SIZE = 4  # patch side: D = 48 numbers for a colour picture
SEED = 0
RUNS = 6  # rows of reverse.png
STEPS_SHOWN = (1000, 950, 900, 800, 700, 600, 500, 400, 300, 200, 100, 0)
LEVELS_SHOWN = (0.9, 0.5, 0.1, 0.01)
DPI = 100

README_FIGURES = ("reverse", "samples", "guess")


def figures(code, image, reference=None):
    """The figures in the order they are drawn: (name, draw into a folder) pairs."""
    del reference  # every picture here is drawn from fixed seeds: a correct submission draws the reference's
    back = Backwards(code, image)
    return [
        ("reverse", lambda out: runs_figure(back, out)),
        ("mosaic", lambda out: mosaic_figure(back, out)),
        ("samples", lambda out: samples_figure(back, out)),
        ("guess", lambda out: guess_figure(back, out)),
    ]


def capped_schedule(steps: int = T, cap: float = 0.999) -> np.ndarray:
    """The assignment's schedule: cosine levels rebuilt from betas capped at ``cap``."""
    cosine = np.cos(np.linspace(0.0, 1.0, steps + 1) * np.pi / 2) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = 1.0 - np.minimum(1.0 - cosine[1:] / cosine[:-1], cap)
    return np.concatenate([[1.0], np.cumprod(kept)])


class Backwards:
    """The picture's patches under a submission, and walks down the dial, each answer computed once."""

    def __init__(self, code, image: np.ndarray, size: int = SIZE):
        self.code = code
        self.image = np.asarray(image, dtype=np.float64)
        self.size = size
        self.alpha_bar = capped_schedule()
        self.calls = StudentCalls(code)
        self._patches: np.ndarray | None = None
        self._model: tuple[np.ndarray, np.ndarray] | None = None
        self._walks: dict[int, dict[int, np.ndarray]] = {}

    @property
    def grid(self) -> tuple[int, int, int]:
        """(patch rows, patch columns, channels) of the picture."""
        return self.image.shape[0] // self.size, self.image.shape[1] // self.size, self.image.shape[2]

    def patches(self) -> np.ndarray:
        if self._patches is None:
            rows, cols, channels = self.grid
            shape = (rows * cols, self.size * self.size * channels)
            result = self.calls("extract_patches", self.image, self.size)
            self._expect("extract_patches", result, shape)
            self._patches = np.asarray(result, dtype=np.float64)
        return self._patches

    def model(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean, cov) of the patches by fit_gaussian, with cov nudged to be invertible for flat pictures."""
        if self._model is None:
            patches = self.patches()
            result = self.calls("fit_gaussian", patches)
            D = patches.shape[1]
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                self.calls.fail("fit_gaussian", f"fit_gaussian returned {describe(result)}, not (mean, cov)")
            self._expect("fit_gaussian", result[0], (D,))
            self._expect("fit_gaussian", result[1], (D, D))
            # A picture with flat regions has a singular covariance: 1e-6 of the pixel range on the
            # diagonal keeps every level's system solvable and changes nothing one can see.
            cov = np.asarray(result[1], dtype=np.float64) + 1e-6 * np.eye(D)
            self._model = (np.asarray(result[0], dtype=np.float64), cov)
        return self._model

    def walk(self, n: int, stops, seed: int = SEED, desc: str = "reverse_step, T -> 0") -> dict[int, np.ndarray]:
        """x_t of ``n`` runs from static for each t of ``stops``: predict_noise and reverse_step, one call each."""
        stops = set(stops)
        key = hash((n, seed, tuple(sorted(stops))))
        if key in self._walks:
            return self._walks[key]
        mean, cov = self.model()
        draws = np.random.RandomState(seed)
        x = draws.randn(n, len(mean))
        seen = {T: x} if T in stops else {}
        for t in tqdm(range(T, 0, -1), desc=desc, unit="step", leave=False, disable=None):
            eps_hat = self.calls("predict_noise", x, float(self.alpha_bar[t]), mean, cov)
            self._expect("predict_noise", eps_hat, x.shape)
            z = draws.randn(*x.shape) if t > 1 else np.zeros(x.shape)
            x = self.calls("reverse_step", x, t, eps_hat, self.alpha_bar, z)
            self._expect("reverse_step", x, eps_hat.shape)
            x = np.asarray(x, dtype=np.float64)
            if t - 1 in stops:
                seen[t - 1] = x
        self._walks[key] = seen
        return seen

    def tile(self, rows_of_patches: np.ndarray) -> np.ndarray:
        """(N, D) patches back into a picture, N = patch rows x patch columns of the image."""
        rows, cols, channels = self.grid
        blocks = rows_of_patches.reshape(rows, cols, self.size, self.size, channels)
        return blocks.swapaxes(1, 2).reshape(rows * self.size, cols * self.size, channels)

    def one(self, row: np.ndarray) -> np.ndarray:
        """One flattened patch as a (size, size, C) picture."""
        return row.reshape(self.size, self.size, self.grid[2])

    def _expect(self, function: str, value, shape) -> None:
        if not (isinstance(value, np.ndarray) and value.shape == tuple(shape) and value.dtype.kind in "iuf"):
            self.calls.fail(function, f"{function} returned {describe(value)}, not an array of shape {tuple(shape)}")
        if not np.all(np.isfinite(value)):
            self.calls.fail(function, f"{function} returned NaN or inf (shape {tuple(shape)})")


def _show(ax, picture: np.ndarray) -> None:
    ax.imshow(to_uint8(picture), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def runs_figure(back: Backwards, out) -> Path:
    """A few runs from static (left) to a new patch (right), one column per step shown."""
    seen = back.walk(RUNS, STEPS_SHOWN, desc="reverse.png")
    figure = Figure(figsize=(1.0 * len(STEPS_SHOWN), 1.05 * RUNS + 0.6), dpi=DPI, layout="constrained")
    axes = figure.subplots(RUNS, len(STEPS_SHOWN))
    for column, t in enumerate(STEPS_SHOWN):
        for run in range(RUNS):
            _show(axes[run, column], back.one(seen[t][run]))
        axes[0, column].set_title(f"t = {t}", fontsize=9)
    figure.suptitle(
        "the dial run backwards: each row starts from its own static (t = 1000) and ends in a new 4 x 4 patch",
        fontsize=10,
    )
    return save_png(figure, out / "reverse.png")


def mosaic_figure(back: Backwards, out) -> Path:
    """Every patch of the picture drawn anew at once, at a few t, beside the picture itself."""
    rows, cols, _ = back.grid
    shown = (1000, 600, 300, 100, 0)
    seen = back.walk(rows * cols, shown, desc="mosaic.png")
    figure = Figure(figsize=(2.2 * (len(shown) + 1), 2.6), dpi=DPI, layout="constrained")
    axes = figure.subplots(1, len(shown) + 1)
    for ax, t in zip(axes, shown, strict=False):
        _show(ax, back.tile(seen[t]))
        ax.set_title(f"t = {t}", fontsize=9)
    _show(axes[-1], back.tile(back.patches()))
    axes[-1].set_title("the picture's own patches", fontsize=9)
    figure.suptitle(
        f"{rows * cols} new patches, each drawn on its own, laid out as the picture's were: the colours and "
        "textures are learnt, where they go is not",
        fontsize=9,
    )
    return save_png(figure, out / "mosaic.png")


def samples_figure(back: Backwards, out, count: int = 64) -> Path:
    """generate's new patches (left) beside as many real patches of the picture (right)."""
    mean, cov = back.model()
    new = back.calls("generate", count, mean, cov, back.alpha_bar, seed=SEED)
    back._expect("generate", new, (count, len(mean)))
    real = back.patches()
    picked = real[np.random.RandomState(SEED).choice(len(real), size=min(count, len(real)), replace=False)]
    side = int(np.ceil(np.sqrt(count)))
    figure = Figure(figsize=(9, 4.8), dpi=DPI, layout="constrained")
    left, right = figure.subfigures(1, 2)
    for panel, rows, title in ((left, new, "new: generate(64, mean, cov, alpha_bar)"), (right, picked, "real")):
        axes = panel.subplots(side, side, gridspec_kw={"wspace": 0.08, "hspace": 0.08})
        for index, ax in enumerate(axes.ravel()):
            if index < len(rows):
                _show(ax, back.one(rows[index]))
            else:
                ax.axis("off")
        panel.suptitle(title, fontsize=10)
    return save_png(figure, out / "samples.png")


def guess_figure(back: Backwards, out) -> Path:
    """At a few levels: a noisy patch, the noise added, predict_noise's guess, and what is left of the error."""
    mean, cov = back.model()
    patches = back.patches()
    rng = np.random.RandomState(SEED + 1)
    x0 = patches[rng.randint(len(patches))]
    eps = rng.randn(len(mean))
    figure = Figure(figsize=(2.1 * len(LEVELS_SHOWN) + 0.6, 6.6), dpi=DPI, layout="constrained")
    axes = figure.subplots(3, len(LEVELS_SHOWN))
    for column, a in enumerate(LEVELS_SHOWN):
        noisy = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
        guess = back.calls("predict_noise", noisy, a, mean, cov)
        back._expect("predict_noise", guess, noisy.shape)
        # Noise is drawn at a third of its size, so that +-3 standard deviations fill the pixel range.
        for row, picture in enumerate((noisy, eps / 3, np.asarray(guess) / 3)):
            _show(axes[row, column], back.one(picture))
        error = float(np.sqrt(np.mean((guess - eps) ** 2)))
        axes[0, column].set_title(f"alpha_bar = {a:g}", fontsize=9)
        axes[2, column].set_xlabel(f"rms error {error:.2f}", fontsize=9)
    for row, label in enumerate(("noisy patch x_t", "noise added", "your guess")):
        axes[row, 0].set_ylabel(label, fontsize=9)
    figure.suptitle(
        "the noise added beside predict_noise's guess: the guess is the part of x_t the Gaussian of the\n"
        "patches cannot explain; its error grows towards the clean end, where the noise is a small part of x_t",
        fontsize=9,
    )
    return save_png(figure, out / "guess.png")


def way_down(near, image: np.ndarray, stops) -> tuple[dict[int, np.ndarray] | None, str]:
    """The dial run backwards over a whole picture, for Part 1's dial page: ({t: picture}, "") or (None, why).

    Uses the student's reverse.py beside ``near`` (the Part 1 file being drawn) when there is one,
    else the one in the course's working copy, in an isolated worker of its own. Every patch of
    the picture is replaced by a new one from the same static, so the page shows static turning
    into a mosaic of new patches as t goes down.
    """
    from autograder.course import get_assignment  # noqa: PLC0415 - only the dial page asks for Part 3
    from autograder.grade import isolated_submission  # noqa: PLC0415
    from autograder.locate import CannotGrade, locate_submission  # noqa: PLC0415

    reverse = get_assignment("ch01_reverse")
    beside = Path(near).parent / reverse.filename if near is not None else None
    path = beside if beside is not None and beside.is_file() else reverse.folder / reverse.filename
    if not path.is_file():
        return None, ""
    try:
        located = locate_submission(path, reverse.filename)
    except CannotGrade as error:
        return None, f"{path}: {error}"
    if located.rejected:
        return None, f"{path}: {located.rejected}"
    try:
        with isolated_submission(reverse, located) as student:
            back = Backwards(student, image)
            rows, cols, _ = back.grid
            seen = back.walk(rows * cols, stops, desc="dial page, reverse_step")
            return {t: back.tile(x) for t, x in seen.items()}, ""
    except FigureSkipped as reason:
        return None, f"your reverse.py cannot run the dial backwards yet: {reason}"
