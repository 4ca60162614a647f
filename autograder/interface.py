"""How checks call code: one interface for the isolated worker and the reference.

    submission.seed(11)                       # np.random.seed(11) right before the next call
    submission.blur(x, 0.5)                   # the result, as the function returned it
    submission.call("blur", x, amount=0.5)    # a Reply: result, rng_used, args_after, kwargs_after
    submission.chain("step", x, params)       # x = step(x, p)[0] for each p, one call per step

``Submission`` holds what the two have in common (seeding, attribute calls,
keyword arguments, chains); each subclass says only how one call runs
(``_run``): ``sandbox.IsolatedSubmission`` in the worker process (every
channel's student code, notebooks included), ``plugin.InProcess`` for the
reference in the grader's own process.

A chain is driven from here, one ordinary call per step, so student code sees
the same kind of request for a step as for any lone call, and each step's
answer passes through the grader before it becomes the next step's input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Reply:
    """What one call returned, with what the grader observed around it.

    ``args_after`` / ``kwargs_after``: the arguments as they were after the call
    (what the call did to its inputs). ``aliased``: the positions and keyword names of
    the array arguments that a returned array shares memory with (the function gave
    back its input itself, or a view of it). ``rng_used``: whether the call drew from
    NumPy's global generator.
    """

    result: object
    rng_used: bool = False
    args_after: list[Any] = field(default_factory=list)
    kwargs_after: dict[str, Any] = field(default_factory=dict)
    aliased: list[int | str] = field(default_factory=list)


class StudentError(Exception):
    """The student's code did not give an answer; the message says why, in plain words.

    ``raised``: when the student's code raised, the built-in exception classes of
    what it raised, most specific first (``("ValueError", "Exception", ...)``).
    """

    def __init__(self, message: str = "", raised: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.raised = tuple(raised)


class NotImplementedYet(StudentError):
    """The function still raises NotImplementedError."""


class SubmissionDidNotImport(StudentError):
    """The submission could not be imported, so nothing can be called."""


# A chain's pick (the value fed forward from a step's result) and its each(step, x, param, reply).
Pick = Callable[[Any], Any]
Each = Callable[[int, Any, Any, Reply], object]


def first(result: Any) -> Any:
    """A chain's default pick: element 0 of a tuple or list result, or the result itself."""
    return result[0] if isinstance(result, (tuple, list)) and result else result


class Submission:
    """Calls into code under test; subclasses implement ``_run``."""

    def __init__(self) -> None:
        self.seeds_used: list[int] = []
        self._seed: int | None = None

    def seed(self, seed: int) -> None:
        """Seed NumPy's global generator of the code under test right before its next call."""
        self._seed = int(seed)
        if self._seed not in self.seeds_used:
            self.seeds_used.append(self._seed)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs).result

    def call(self, function: str, *args: Any, return_args: bool = False, **kwargs: Any) -> Reply:
        """Call ``function(*args, **kwargs)``; the Reply always carries the arguments after the call.

        ``return_args`` is accepted for older checks and changes nothing: every
        call looks the same to the code under test.
        """
        del return_args
        seed, self._seed = self._seed, None
        return self._run(function, args, kwargs, seed)

    def chain(self, function: str, x: Any, params: Iterable[Any], pick: Pick = first, each: Each | None = None) -> Any:
        """Feed ``x`` through ``function(x, p)`` for each p, keeping ``pick(result)`` as the next x.

        One ordinary call per step. A step whose pick is not an array shaped like
        ``x`` ends the chain with a StudentError; ``each(step, x, p, reply)``, if
        given, sees every step (a check may judge each one).
        """
        params = list(params)
        shape = np.shape(x)
        for step, param in enumerate(params):
            reply = self.call(function, x, _plain(param))
            out = pick(reply.result)
            if not (isinstance(out, np.ndarray) and out.shape == shape):
                got = f"an array of shape {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
                raise StudentError(
                    f"{function} in a chain of {len(params)} steps: step {step + 1} should give an array of "
                    f"shape {shape} to feed into the next step, but gave {got}"
                )
            if each is not None:
                each(step, x, param, reply)
            x = out
        return x

    def _run(self, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], seed: int | None) -> Reply:
        raise NotImplementedError


def _plain(param: Any) -> Any:
    """A chain's parameter as a step receives it: a Python float for a real number."""
    if isinstance(param, (float, np.floating)) or (
        isinstance(param, (int, np.integer)) and not isinstance(param, bool)
    ):
        return float(param)
    return param
