"""Where student code runs, seen from the checks: a proxy to the isolated worker, and its budgets.

The grader never imports the submission. ``IsolatedSubmission`` starts the
worker through ``sandbox.process.WorkerProcess`` (its own process, a fresh
folder, a scrubbed environment and, as root, an unprivileged user) and keeps
the time budgets. Calls cross as plain data (``sandbox/wire.py``). A call that
raises, hangs, kills the process or sends garbage fails that one call; the next
call gets a fresh process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.sandbox import wire
from autograder.sandbox.account import Sandbox
from autograder.sandbox.process import WorkerDied, WorkerProcess

# A function that runs past its time limit or ends its process this many times
# is not run again: each such call costs a limit's wait or a fresh import.
STRIKES = 2


@dataclass(frozen=True)
class Limits:
    """Per-process and per-call limits for student code (from the course manifest)."""

    call_seconds: float = 5.0
    import_seconds: float = 20.0
    memory_mb: int = 1536
    cpu_seconds: int = 120
    file_mb: int = 16
    processes: int = 32
    output_bytes: int = 8192
    reply_mb: int = 256
    # All the student's code may take over one grading (imports and calls):
    # bounds the time a hostile submission costs, whatever it does.
    total_seconds: float = 45.0
    # What the calls of one function may take in total, so that one slow
    # function cannot use up the time of the others.
    function_seconds: float = 15.0


class StudentError(Exception):
    """The student's code did not give an answer; the message says why, in plain words."""


class NotImplementedYet(StudentError):
    """The function still raises NotImplementedError."""


class SubmissionDidNotImport(StudentError):
    """The submission could not be imported, so nothing can be called."""


@dataclass
class Reply:
    """What one call returned, with what the grader observed around it."""

    result: object
    rng_used: bool = False
    args_after: list = field(default_factory=list)


class IsolatedSubmission:
    """The student's module as seen from the grader: ``sub.some_function(x, 0.5)``.

    ``sub.seed(s)`` seeds NumPy's global generator in the student's process right
    before the next call, like ``np.random.seed(s)`` would in-process.
    """

    def __init__(self, path: Path | None, module: str, limits: Limits, sandbox: Sandbox, rejected: str | None = None):
        self.path = path
        self.module = module
        self.limits = limits
        self.sandbox = sandbox
        self.rejected = rejected
        self.import_error: str | None = None
        self.protections: dict = {}
        self.seeds_used: list[int] = []
        self._process: WorkerProcess | None = None
        self._seed: int | None = None
        self._strikes: dict[str, int] = {}
        self._output: list[str] = []
        self._spent = 0.0  # seconds of the student's total time used so far
        self._spent_in: dict[str, float] = {}  # the same, per function called
        self.survivors = 0  # processes of the submission still alive after it was stopped

    # -- the calls a check makes -------------------------------------------
    def seed(self, seed: int) -> None:
        self._seed = int(seed)
        if seed not in self.seeds_used:
            self.seeds_used.append(int(seed))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args: self.call(name, *args).result

    def call(self, function: str, *args, return_args: bool = False, op: str = "call") -> Reply:
        """Call ``function(*args)`` in the student's process and return its reply."""
        if self.rejected:
            raise SubmissionDidNotImport(self.rejected)
        if self._strikes.get(function, 0) >= STRIKES:
            raise StudentError(
                f"not run: {function} already ran past the time limit or ended "
                f"the process running your code {STRIKES} times"
            )
        self._time_left_in(function)  # both raise when the time is used up, before any import
        self._time_left()
        worker = self._worker()
        seed, self._seed = self._seed, None
        blobs: list[bytes] = []
        specs = [wire.encode(arg, blobs) for arg in args]
        header = {"op": op, "function": function, "args": specs, "seed": seed, "return_args": return_args}
        seconds = min(self.limits.call_seconds, self._time_left(), self._time_left_in(function))
        started = time.monotonic()
        try:
            reply, arrays = worker.request(header, blobs, seconds)
        except TimeoutError:
            self._strike(function)
            if seconds < self.limits.call_seconds:
                raise StudentError(
                    f"{function} was stopped: it used up the time your code may take "
                    f"({self.limits.function_seconds:g} s per function, "
                    f"{self.limits.total_seconds:g} s in total)"
                ) from None
            raise StudentError(
                f"{function} did not finish within the time limit of {self.limits.call_seconds:g} s"
            ) from None
        except WorkerDied as died:
            self._strike(function)
            raise StudentError(f"the process running your code ended during {function} ({died})") from None
        except wire.WireError as error:
            self._stop()
            raise StudentError(f"{function} sent back something that is not plain data ({error})") from None
        finally:
            self._spent += time.monotonic() - started
            self._spent_in[function] = self._spent_in.get(function, 0.0) + time.monotonic() - started
            self._output.append(worker.take_output())
        if not reply.get("ok"):
            raise _error_from(reply.get("error"), function)
        try:
            result = wire.decode(reply.get("result"), arrays)
            after = [wire.decode(spec, arrays) for spec in reply.get("args_after", [])]
        except wire.WireError as error:
            raise StudentError(f"{function} sent back something unreadable ({error})") from None
        return Reply(result=result, rng_used=bool(reply.get("rng_used")), args_after=after)

    def chain(self, function: str, x: np.ndarray, params: np.ndarray) -> np.ndarray:
        """Feed ``x`` through ``function(x, p)[0]`` for each p, inside the student's process."""
        return self.call(function, x, np.asarray(params, dtype=np.float64), op="chain").result

    def take_output(self) -> str:
        """What the student's code printed since the last time this was asked."""
        text = "".join(self._output)
        self._output.clear()
        return text

    # -- process management --------------------------------------------------
    def _time_left(self) -> float:
        left = self.limits.total_seconds - self._spent
        if left <= 0:
            raise StudentError(
                f"not run: your code already used the {self.limits.total_seconds:g} s it may take in total"
            )
        return left

    def _time_left_in(self, function: str) -> float:
        left = self.limits.function_seconds - self._spent_in.get(function, 0.0)
        if left <= 0:
            raise StudentError(
                f"not run: {function} already took the {self.limits.function_seconds:g} s its calls may take in total"
            )
        return left

    def _strike(self, function: str) -> None:
        self._strikes[function] = self._strikes.get(function, 0) + 1
        self._stop()

    def _worker(self) -> WorkerProcess:
        if self.import_error is not None:
            raise SubmissionDidNotImport(self.import_error)
        if self._process is None or not self._process.alive():
            self._stop()  # a worker that ended by itself may still have children
            seconds = min(self.limits.import_seconds, self._time_left())
            self._process = WorkerProcess(self.path, self.module, self.limits, self.sandbox)
            started = time.monotonic()
            try:
                ready = self._process.start(seconds)
            except (TimeoutError, WorkerDied, wire.WireError) as error:
                self.protections = self._process.protections or self.protections
                self._output.append(self._process.take_output())
                self._stop()
                reason = f"took longer than {seconds:g} s" if isinstance(error, TimeoutError) else f"ended ({error})"
                self.import_error = f"importing {self.module}.py {reason}"
                raise SubmissionDidNotImport(self.import_error) from None
            finally:
                self._spent += time.monotonic() - started
            self._output.append(self._process.take_output())
            self.protections = self._process.protections
            if not ready.get("ready"):
                self._stop()
                self.import_error = _import_message(ready.get("error"), self.module)
                raise SubmissionDidNotImport(self.import_error)
        return self._process

    def _stop(self):
        if self._process is not None:
            self.survivors = max(self.survivors, self._process.stop())
            self._process = None

    def close(self):
        self._stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _error_from(error, function) -> StudentError:
    error = error if isinstance(error, dict) else {}
    kind = str(error.get("type", "Error"))[:80]
    message = str(error.get("message", ""))[:500]
    if kind == "missing":
        return StudentError(f"{function} is not defined in your file")
    if kind == "NotImplementedError":
        return NotImplementedYet(f"{function} is not implemented yet (it raises NotImplementedError)")
    return StudentError(f"{function} raised {kind}: {message}{_where(error.get('where'))}")


def _where(frames) -> str:
    if not isinstance(frames, list) or not frames:
        return ""
    lines = []
    for frame in frames[-3:]:
        if isinstance(frame, dict):
            lines.append(
                f"  line {frame.get('line')}, in {str(frame.get('function'))[:60]}: {str(frame.get('code'))[:160]}"
            )
    return "\n" + "\n".join(lines) if lines else ""


def _import_message(error, module) -> str:
    error = error if isinstance(error, dict) else {}
    kind = str(error.get("type", "Error"))[:80]
    message = str(error.get("message", ""))[:500]
    return f"{module}.py could not be imported: {kind}: {message}{_where(error.get('where'))}"
