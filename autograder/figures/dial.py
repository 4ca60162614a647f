"""The course's "dial": one picture taken to static and back by a submission's own functions.

``Dial(code, image)`` calls ``code.cosine_schedule``, ``code.add_noise`` and
``code.remove_noise``, where ``code`` is an ``IsolatedSubmission`` (the student's
file, in its worker process) or the reference wrapped in ``plugin.InProcess``.
Every ``add_noise`` call is seeded with the same seed, so every timestep mixes in
the same static and the frames change only with the level; a correct submission
therefore gives exactly the reference's frames.

When a function fails, the figures that need it are skipped: ``FigureSkipped``
carries the one-line reason (the function is not implemented yet, raised, or
returned something of the wrong shape).
"""

from __future__ import annotations

import numpy as np

from autograder.runner import StudentError

T = 1000
SEED = 0


class FigureSkipped(Exception):
    """A figure cannot be drawn; the message is the one-line reason."""


class Dial:
    """The forward process of one image under a submission, with each answer computed once."""

    def __init__(self, code, image: np.ndarray, steps: int = T):
        self.code = code
        self.image = np.asarray(image, dtype=np.float64)
        self.T = steps
        self._schedule: np.ndarray | None = None
        self._noisy: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._failed: dict[str, str] = {}  # function -> why, so a broken function is asked only once

    def schedule(self) -> np.ndarray:
        """``cosine_schedule(T)`` as float64, as long as it is a 1-D array of numbers (any length)."""
        if self._schedule is None:
            result = self._call("cosine_schedule", self.T)
            if not (isinstance(result, np.ndarray) and result.ndim == 1 and result.size and result.dtype.kind in "iuf"):
                self._fail(
                    "cosine_schedule",
                    f"cosine_schedule({self.T}) returned {_describe(result)}, not a 1-D array of numbers",
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

    # -- calling the submission and checking what comes back ------------------------
    def _call(self, function: str, *args, seed: int | None = None):
        if function in self._failed:
            raise FigureSkipped(self._failed[function])
        if seed is not None:
            self.code.seed(seed)
        try:
            return getattr(self.code, function)(*args)
        except StudentError as error:
            self._fail(function, str(error).splitlines()[0])

    def _fail(self, function: str, reason: str):
        self._failed[function] = reason
        raise FigureSkipped(reason)

    def _pair(self, result) -> tuple[np.ndarray, np.ndarray]:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            self._fail("add_noise", f"add_noise returned {_describe(result)}, not a pair (xt, eps)")
        for item in result:
            self._check_image("add_noise", item)
        return np.asarray(result[0], dtype=np.float64), np.asarray(result[1], dtype=np.float64)

    def _check_image(self, function: str, value) -> None:
        if not (isinstance(value, np.ndarray) and value.shape == self.image.shape and value.dtype.kind in "iuf"):
            self._fail(
                function,
                f"{function} returned {_describe(value)} where an array of the image's "
                f"shape {self.image.shape} was expected",
            )


def _describe(value) -> str:
    """A few words on what a function returned, never its values."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return "None" if value is None else f"a {type(value).__name__}"
