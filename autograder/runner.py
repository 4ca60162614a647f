"""Where student code runs: one isolated worker process, and a proxy to call it.

The grader never imports the submission. It starts ``sandbox/worker.py`` in a
fresh temporary folder holding only a copy of the submission, with a scrubbed
environment and an import path without the project. When the grader is root the
worker drops to an unprivileged user before the student's code is imported.
Calls cross as plain data (``sandbox/wire.py``). A call that raises, hangs,
kills the process or sends garbage fails that one call; the next call gets a
fresh process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.sandbox import wire
from autograder.sandbox.account import (
    TOKEN_VARIABLE,
    Sandbox,
    end_worker_processes,
    uids_of,
)

WORKER = Path(__file__).parent / "sandbox" / "worker.py"
# Modules the worker loads before it drops privileges, so a submission may use
# them even where the sandbox user cannot read the interpreter's own folders.
PRELOAD = [
    "numpy.random",
    "numpy.lib.format",
    "zlib",
    "math",
    "random",
    "time",
    "functools",
    "itertools",
    "collections",
    "typing",
    "copy",
    "warnings",
    "dataclasses",
    "numpy.linalg",
    "numpy.fft",
    "pathlib",
    "json",
    "statistics",
    "fractions",
    "decimal",
    "heapq",
    "string",
    "pprint",
    "csv",
    "glob",
    "tempfile",
    "shutil",
    "subprocess",
    "signal",
    "queue",
]
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
    """The student's module as seen from the grader: ``sub.add_noise(x0, 0.5)``.

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
        self._process: _Worker | None = None
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
        except _WorkerDied as died:
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

    def _worker(self) -> _Worker:
        if self.import_error is not None:
            raise SubmissionDidNotImport(self.import_error)
        if self._process is None or not self._process.alive():
            self._stop()  # a worker that ended by itself may still have children
            seconds = min(self.limits.import_seconds, self._time_left())
            self._process = _Worker(self.path, self.module, self.limits, self.sandbox)
            started = time.monotonic()
            try:
                ready = self._process.start(seconds)
            except (TimeoutError, _WorkerDied, wire.WireError) as error:
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


class _WorkerDied(Exception):
    pass


class _Worker:
    """One worker process: start, request/reply with a deadline, stop with no survivors."""

    def __init__(self, path, module, limits: Limits, sandbox: Sandbox):
        self.limits = limits
        self.sandbox = sandbox
        self.workdir = Path(tempfile.mkdtemp(prefix="autograder-"))
        self.submission = self.workdir / f"{module}.py"
        shutil.copyfile(path, self.submission)
        self.module = module
        self.replies: queue.Queue = queue.Queue()
        self.output = _BoundedBuffer(limits.output_bytes)
        self.proc: subprocess.Popen | None = None
        self.token = secrets.token_hex(12)
        self.protections: dict = {}

    def start(self, seconds: float) -> dict:
        """Start the worker; return its answer to importing the submission."""
        deadline = time.monotonic() + seconds
        drop = None
        if self.sandbox.uid is not None:
            drop = {"uid": self.sandbox.uid, "gid": self.sandbox.gid}
            for path in (self.workdir, self.submission):
                os.chown(path, self.sandbox.uid, self.sandbox.gid)
            os.chmod(self.workdir, 0o700)
        config = {
            "submission": str(self.submission),
            "module": self.module,
            "workdir": str(self.workdir),
            "library_paths": library_paths(),
            "drop": drop,
            "unreadable": list(self.sandbox.unreadable),
            "limits": {
                "memory_mb": self.limits.memory_mb,
                "cpu_seconds": self.limits.cpu_seconds,
                "file_mb": self.limits.file_mb,
                "processes": self.limits.processes,
            }
            if self.sandbox.rlimits
            else None,
            "preload": PRELOAD + (["matplotlib", "matplotlib.pyplot"] if _mentions_matplotlib(self.submission) else []),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", str(WORKER), json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.workdir,
            env=_scrubbed_environment(self.workdir, self.token),
            start_new_session=(os.name == "posix"),
        )
        threading.Thread(target=self._read_replies, daemon=True).start()
        threading.Thread(target=self._read_output, daemon=True).start()
        armed, _ = self._next_reply(max(0.0, deadline - time.monotonic()))
        if armed.get("stage") != "armed" or not isinstance(armed.get("protections"), dict):
            raise wire.WireError("the worker did not report its protections")
        self.protections = self._checked(armed["protections"])
        header, _ = self._next_reply(max(0.0, deadline - time.monotonic()))
        return header

    def _checked(self, protections: dict) -> dict:
        """The worker's own report, with its user confirmed from outside where /proc allows."""
        protections = {
            key: protections[key]
            for key in ("resource_limits", "limits", "privileges_dropped", "hidden_files_readable")
            if key in protections
        }
        if self.sandbox.uid is not None:
            uids = uids_of(self.proc.pid)
            if uids is not None:
                protections["privileges_dropped"] = set(uids) == {self.sandbox.uid}
        return protections

    def request(self, header, blobs, seconds):
        try:
            wire.write_message(self.proc.stdin, header, blobs)
        except (BrokenPipeError, OSError, ValueError):
            raise _WorkerDied(self._exit_description()) from None
        return self._next_reply(seconds)

    def _next_reply(self, seconds):
        try:
            item = self.replies.get(timeout=seconds)
        except queue.Empty:
            raise TimeoutError from None
        if isinstance(item, BaseException):
            raise item
        return item

    def _read_replies(self):
        try:
            while True:
                self.replies.put(wire.read_message(self.proc.stdout, self.limits.reply_mb << 20))
        except EOFError:
            self.replies.put(_WorkerDied(self._exit_description()))
        except wire.WireError as error:
            self.replies.put(error)
        except Exception as error:  # noqa: BLE001 - anything unexpected ends this worker, not the grader
            self.replies.put(wire.WireError(type(error).__name__))

    def _read_output(self):
        while True:
            chunk = self.proc.stderr.read1(65536) if hasattr(self.proc.stderr, "read1") else b""
            if not chunk:
                return
            self.output.add(chunk)

    def _exit_description(self):
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            hint = {
                "SIGKILL": " - often the memory limit",
                "SIGXCPU": " - the CPU time limit",
                "SIGXFSZ": " - the file size limit",
                "SIGSEGV": "",
            }.get(name, "")
            return f"killed by {name}{hint}"
        return f"exit code {code}"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def take_output(self) -> str:
        return self.output.take()

    def stop(self) -> int:
        """End the worker and everything it started; remove its folder.

        Returns how many of its processes could not be ended (0 when all are gone).
        """
        survivors = 0
        if self.proc is not None:
            survivors = end_worker_processes(self.proc, self.sandbox, self.token)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        shutil.rmtree(self.workdir, ignore_errors=True)
        return survivors


class _BoundedBuffer:
    """Keeps the first ``limit`` bytes of output and counts the rest."""

    def __init__(self, limit):
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0
        self.lock = threading.Lock()

    def add(self, chunk):
        with self.lock:
            room = max(0, self.limit - len(self.kept))
            self.kept += chunk[:room]
            self.dropped += max(0, len(chunk) - room)

    def take(self) -> str:
        with self.lock:
            text = self.kept.decode("utf-8", errors="replace")
            if self.dropped:
                text += f"\n... [{self.dropped} more bytes of output cut]\n"
            self.kept.clear()
            self.dropped = 0
            return text


def _scrubbed_environment(workdir: Path, token: str) -> dict:
    env = {
        TOKEN_VARIABLE: token,
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "PATH": os.defpath,
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(workdir),
        # One thread: faster start-up and no thread pool in the process count.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for keep in ("SYSTEMROOT", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if keep in os.environ:
            env[keep] = os.environ[keep]
    return env


def library_paths() -> list[str]:
    """The folders that hold NumPy (and Matplotlib), without the project."""
    paths = [str(Path(np.__file__).resolve().parent.parent)]
    # Found without importing it: Matplotlib takes a tenth of a second to load.
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        paths.append(str(Path(spec.origin).resolve().parent.parent))
    project = str(Path(__file__).resolve().parent.parent)
    return [p for p in dict.fromkeys(paths) if p != project]


def _mentions_matplotlib(path: Path) -> bool:
    try:
        return b"matplotlib" in path.read_bytes()
    except OSError:
        return False


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
