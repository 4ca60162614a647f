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

import json
import os
import queue
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

WORKER = Path(__file__).parent / "sandbox" / "worker.py"
# Modules the worker loads before it drops privileges, so a submission may use
# them even where the sandbox user cannot read the interpreter's own folders.
PRELOAD = ["numpy.random", "numpy.lib.format", "zlib", "math", "random", "time", "functools",
           "itertools", "collections", "typing", "copy", "warnings",
           "dataclasses", "numpy.linalg", "numpy.fft"]
TIMEOUT_STRIKES = 2


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


@dataclass(frozen=True)
class Sandbox:
    """Who student code runs as, and what it must not be able to read."""

    uid: int | None = None
    gid: int | None = None
    unreadable: tuple[str, ...] = ()

    @classmethod
    def for_this_machine(cls, unreadable=()):
        """Drop to a dedicated user when running as root on POSIX; else run as ourselves."""
        if os.name == "posix" and os.geteuid() == 0:
            uid = int(os.environ.get("AUTOGRADER_SANDBOX_UID", "64999"))
            return cls(uid=uid, gid=uid, unreadable=tuple(str(p) for p in unreadable))
        return cls(unreadable=tuple(str(p) for p in unreadable))


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

    def __init__(self, path: Path | None, module: str, limits: Limits, sandbox: Sandbox,
                 rejected: str | None = None):
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
        if self._strikes.get(function, 0) >= TIMEOUT_STRIKES:
            raise StudentError(f"not run: {function} already ran past the time limit "
                               f"{TIMEOUT_STRIKES} times")
        worker = self._worker()
        seed, self._seed = self._seed, None
        blobs: list[bytes] = []
        specs = [wire.encode(arg, blobs) for arg in args]
        header = {"op": op, "function": function, "args": specs, "seed": seed,
                  "return_args": return_args}
        try:
            reply, arrays = worker.request(header, blobs, self.limits.call_seconds)
        except TimeoutError:
            self._strikes[function] = self._strikes.get(function, 0) + 1
            self._stop()
            raise StudentError(f"{function} did not finish within the time limit of "
                               f"{self.limits.call_seconds:g} s") from None
        except _WorkerDied as died:
            self._stop()
            raise StudentError(f"the process running your code ended during {function} "
                               f"({died})") from None
        except wire.WireError as error:
            self._stop()
            raise StudentError(f"{function} sent back something that is not plain data "
                               f"({error})") from None
        finally:
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
    def _worker(self) -> _Worker:
        if self.import_error is not None:
            raise SubmissionDidNotImport(self.import_error)
        if self._process is None or not self._process.alive():
            self._process = _Worker(self.path, self.module, self.limits, self.sandbox)
            try:
                ready = self._process.start()
            except (TimeoutError, _WorkerDied, wire.WireError) as error:
                self._output.append(self._process.take_output())
                self._stop()
                reason = ("took longer than " f"{self.limits.import_seconds:g} s"
                          if isinstance(error, TimeoutError) else f"ended ({error})")
                self.import_error = f"importing {self.module}.py {reason}"
                raise SubmissionDidNotImport(self.import_error) from None
            self._output.append(self._process.take_output())
            self.protections = ready.get("protections", {})
            if not ready.get("ready"):
                self._stop()
                self.import_error = _import_message(ready.get("error"), self.module)
                raise SubmissionDidNotImport(self.import_error)
        return self._process

    def _stop(self):
        if self._process is not None:
            self._process.stop()
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

    def start(self) -> dict:
        drop = None
        if self.sandbox.uid is not None:
            drop = {"uid": self.sandbox.uid, "gid": self.sandbox.gid}
            for path in (self.workdir, self.submission):
                os.chown(path, self.sandbox.uid, self.sandbox.gid)
            os.chmod(self.workdir, 0o700)
        config = {
            "submission": str(self.submission), "module": self.module, "workdir": str(self.workdir),
            "library_paths": _library_paths(), "drop": drop, "unreadable": list(self.sandbox.unreadable),
            "limits": {"memory_mb": self.limits.memory_mb, "cpu_seconds": self.limits.cpu_seconds,
                       "file_mb": self.limits.file_mb, "processes": self.limits.processes},
            "preload": PRELOAD + (["matplotlib", "matplotlib.pyplot"] if _mentions_matplotlib(self.submission) else []),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", str(WORKER), json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=self.workdir, env=_scrubbed_environment(self.workdir),
            start_new_session=(os.name == "posix"),
        )
        threading.Thread(target=self._read_replies, daemon=True).start()
        threading.Thread(target=self._read_output, daemon=True).start()
        header, _ = self._next_reply(self.limits.import_seconds)
        return header

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
            hint = {"SIGKILL": " - often the memory limit", "SIGXCPU": " - the CPU time limit",
                    "SIGXFSZ": " - the file size limit", "SIGSEGV": ""}.get(name, "")
            return f"killed by {name}{hint}"
        return f"exit code {code}"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def take_output(self) -> str:
        return self.output.take()

    def stop(self):
        """End the worker and everything it started; remove its folder."""
        if self.proc is not None:
            _kill_everything(self.proc, self.sandbox)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        shutil.rmtree(self.workdir, ignore_errors=True)


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


def _kill_everything(proc: subprocess.Popen, sandbox: Sandbox):
    if os.name != "posix":
        proc.kill()
        proc.wait()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if sandbox.uid is not None:
        kill_all_of_user(sandbox.uid)


def kill_all_of_user(uid: int) -> None:
    """Kill every process of the sandbox user, including those that left the group.

    Stopped processes cannot fork, so a fork storm is frozen first, then killed.
    """
    for _ in range(50):
        pids = processes_of_user(uid)
        if not pids:
            return
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        time.sleep(0.01)


def processes_of_user(uid: int) -> list[int]:
    """Live PIDs owned by ``uid`` (Linux /proc; empty where there is no /proc)."""
    pids = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return pids
    for entry in entries:
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid != uid:
                    continue
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    state = stat.read().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state not in (b"Z", b"X"):  # zombies are already dead
                pids.append(int(entry))
    return pids


def _scrubbed_environment(workdir: Path) -> dict:
    env = {
        "HOME": str(workdir), "TMPDIR": str(workdir), "PATH": os.defpath,
        "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(workdir),
        # One thread: faster start-up and no thread pool in the process count.
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }
    for keep in ("SYSTEMROOT", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if keep in os.environ:
            env[keep] = os.environ[keep]
    return env


def _library_paths() -> list[str]:
    """The folders that hold NumPy (and Matplotlib), without the project."""
    paths = [str(Path(np.__file__).resolve().parent.parent)]
    try:
        import matplotlib  # noqa: PLC0415 - optional

        paths.append(str(Path(matplotlib.__file__).resolve().parent.parent))
    except ImportError:
        pass
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
            lines.append(f"  line {frame.get('line')}, in {str(frame.get('function'))[:60]}: "
                         f"{str(frame.get('code'))[:160]}")
    return "\n" + "\n".join(lines) if lines else ""


def _import_message(error, module) -> str:
    error = error if isinstance(error, dict) else {}
    kind = str(error.get("type", "Error"))[:80]
    message = str(error.get("message", ""))[:500]
    return f"{module}.py could not be imported: {kind}: {message}{_where(error.get('where'))}"
