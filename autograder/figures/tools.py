"""What an assignment's figures file draws with: calls that skip instead of failing, and saving.

An assignment declares its figures file in course.toml (``figures = "..."``);
``declared.load_figures`` imports it. The file defines

    def figures(code, image, reference=None) -> list[tuple[str, Callable[[Path], Path]]]

``code`` is the submission (its functions run in the grader's isolated worker),
``image`` the picture chosen with ``--image`` as float64 (H, W, 3) in [-1, 1],
``reference`` the reference solution (``--compare``) or None. Each pair is a
figure's name and a function that saves it into the given folder and returns
its path, or raises ``FigureSkipped`` with a one-line reason. ``README_FIGURES``
(optional) names the figures ``make readme-images`` draws from the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Figures describe what a function returned in the words the checks use (re-exported).
from autograder.checks import describe
from autograder.interface import StudentError

Builder = Callable[[Path], Path]
__all__ = [
    "Builder",
    "FigureSkipped",
    "Outcome",
    "StudentCalls",
    "describe",
    "draw_each",
    "font",
    "gif_frame_count",
    "save_gif",
    "save_png",
]


class FigureSkipped(Exception):
    """A figure cannot be drawn; the message is the one-line reason."""


@dataclass(frozen=True)
class Outcome:
    """One figure: where it was saved, or why it was skipped."""

    name: str
    path: Path | None = None
    skipped: str | None = None
    note: str = ""


class StudentCalls:
    """Calls to a submission's functions that turn its failures into ``FigureSkipped``.

    A function that failed once is not asked again: every later figure that
    needs it is skipped with the same reason.
    """

    def __init__(self, code):
        self.code = code
        self.failed: dict[str, str] = {}  # function -> why

    def __call__(self, function: str, *args, seed: int | None = None):
        """``code.<function>(*args)``, after ``code.seed(seed)`` when a seed is given."""
        if function in self.failed:
            raise FigureSkipped(self.failed[function])
        if seed is not None:
            self.code.seed(seed)
        try:
            return getattr(self.code, function)(*args)
        except StudentError as error:
            self.fail(function, str(error).splitlines()[0])

    def fail(self, function: str, reason: str):
        """Remember that ``function`` cannot be used, and skip the figure being drawn."""
        self.failed[function] = reason
        raise FigureSkipped(reason)


def draw_each(builders: list[tuple[str, Builder]], out: Path) -> list[Outcome]:
    """Every figure the submission's functions allow; the others skipped with their reason."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for name, build in builders:
        try:
            path = build(out)
        except FigureSkipped as reason:
            # A picture left from an earlier run would show code that has changed since.
            for old in out.glob(f"{name}.*"):
                old.unlink()
            outcomes.append(Outcome(name, skipped=str(reason)))
            continue
        note = f"{gif_frame_count(path)} frames, {path.stat().st_size // 1024} KB" if path.suffix == ".gif" else ""
        outcomes.append(Outcome(name, path=path, note=note))
    return outcomes


def save_png(figure, path: Path) -> Path:
    """Save a Matplotlib figure as an RGB PNG: no alpha channel, a quarter fewer bytes for noisy panels.

    zlib's default level, not Pillow's ``optimize``: on a figure of noisy panels its
    level 9 took eight times as long (a second for Chapter 1's steps) for 0.3% fewer bytes.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - Matplotlib loads only to draw
    from PIL import Image  # noqa: PLC0415 - Pillow loads only to draw, like Matplotlib

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(path, format="PNG", compress_level=6)
    return path


def save_gif(frames: list, path: Path, durations: list[int]) -> Path:
    """Save Pillow RGB images as a looping GIF, each frame given its own 256 colours by a fast octree.

    Pillow's own choice for an RGB frame (median cut) took ~40 ms for a 128 px frame of
    noise, nearly all of the animation's time; the octree takes under a millisecond,
    its colours a little less close (about 1 in 255 per channel on a clean picture,
    2 on static, on average).
    """
    from PIL import Image  # noqa: PLC0415 - Pillow loads only to draw

    paletted = [frame.quantize(256, method=Image.Quantize.FASTOCTREE) for frame in frames]
    paletted[0].save(path, save_all=True, append_images=paletted[1:], duration=durations, loop=0)
    return path


def font(size: int):
    """Pillow's default font at ``size`` px where Pillow can scale it."""
    from PIL import ImageFont  # noqa: PLC0415 - Pillow loads only to draw

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: one fixed-size bitmap font
        return ImageFont.load_default()


def gif_frame_count(path: Path) -> int:
    from PIL import Image  # noqa: PLC0415 - Pillow loads only to draw

    with Image.open(path) as gif:
        return gif.n_frames
