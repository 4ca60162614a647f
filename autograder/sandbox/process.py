"""The worker process seen from the grader: start it, talk to it with deadlines, end it.

``WorkerProcess`` starts ``sandbox/worker.py`` in a fresh temporary folder
holding only a copy of the submission, with a scrubbed environment and an
import path without the project; it sends requests and reads replies through
``wire`` and, when stopped, ends every process the submission started.
``autograder.runner`` is the proxy in front of it, with the time budgets.
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
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from autograder.sandbox import wire
from autograder.sandbox.account import (
    TOKEN_VARIABLE,
    Sandbox,
    end_worker_processes,
    uids_of,
)

if TYPE_CHECKING:
    from autograder.runner import Limits

WORKER = Path(__file__).parent / "worker.py"
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


class WorkerDied(Exception):
    pass


class WorkerProcess:
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
            raise WorkerDied(self._exit_description()) from None
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
            self.replies.put(WorkerDied(self._exit_description()))
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
