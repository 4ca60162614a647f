"""The worker process seen from the grader: start it, talk to it with deadlines, end it.

``WorkerProcess`` starts ``sandbox/worker.py`` in a fresh temporary folder
holding only a copy of the submission, with a scrubbed environment and an
import path without the project; it sends requests and reads replies through
``wire`` and, when stopped, ends every process the submission started.
``autograder.runner`` is the proxy in front of it, with the time budgets.
"""

from __future__ import annotations

import contextlib
import functools
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

from autograder.sandbox import libraries, namespaces, wire
from autograder.sandbox.account import (
    TOKEN_VARIABLE,
    Sandbox,
    end_worker_processes,
    remove_tree,
    uids_of,
)

if TYPE_CHECKING:
    from autograder.runner import Limits

WORKER = Path(__file__).parent / "worker.py"
# What the worker runs from: itself and the message format.
WORKER_FILES = (WORKER, Path(__file__).parent / "wire.py")


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
        self._readers: list[threading.Thread] = []

    def start(self, seconds: float) -> dict:
        """Start the worker; return its answer to importing the submission."""
        deadline = time.monotonic() + seconds
        drop = None
        if self.sandbox.uid is not None:
            drop = {"uid": self.sandbox.uid, "gid": self.sandbox.gid}
            for path in (self.workdir, self.submission):
                os.chown(path, self.sandbox.uid, self.sandbox.gid)
            os.chmod(self.workdir, 0o700)
        plotting = _mentions_matplotlib(self.submission)
        if self.sandbox.namespaces:
            command, paths, fds = _in_namespaces(self.submission, plotting)
        else:
            command, paths, fds = _as_a_process(self.sandbox, self.workdir, plotting)
        config = {
            **paths,
            "submission": f"{paths['workdir']}/{self.submission.name}",
            "module": self.module,
            "drop": drop,
            "unreadable": [] if self.sandbox.namespaces else list(self.sandbox.unreadable),
            "limits": {
                "memory_mb": self.limits.memory_mb,
                "cpu_seconds": self.limits.cpu_seconds,
                "file_mb": self.limits.file_mb,
                "processes": self.limits.processes,
            }
            if self.sandbox.rlimits
            else None,
            "available": [*libraries.ALWAYS, *(libraries.PLOTTING if plotting else ())],
        }
        try:
            self.proc = subprocess.Popen(
                [*command, json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self.workdir,
                env=_scrubbed_environment(paths["workdir"], self.token),
                start_new_session=(os.name == "posix"),
                pass_fds=fds,
            )
        finally:
            for fd in fds:
                os.close(fd)
        self._readers = [
            threading.Thread(target=self._read_replies, daemon=True),
            threading.Thread(target=self._read_output, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        armed, _ = self._next_reply(max(0.0, deadline - time.monotonic()))
        if armed.get("stage") != "armed" or not isinstance(armed.get("protections"), dict):
            raise wire.WireError("the worker did not report its protections")
        self.protections = self._checked(armed["protections"])
        header, _ = self._next_reply(max(0.0, deadline - time.monotonic()))
        return header

    def _checked(self, protections: dict) -> dict:
        """The worker's own report, confirmed from outside where /proc allows: its users,
        no_new_privs and namespaces are read from the kernel, not taken from the worker."""
        protections = {
            key: protections[key]
            for key in ("resource_limits", "limits", "privileges_dropped", "no_new_privs", "hidden_files_readable")
            if key in protections
        }
        pid = _worker_pid(self.proc.pid, self.sandbox.namespaces)
        if self.sandbox.uid is not None:
            uids = uids_of(pid) if pid else None
            if uids is not None or self.sandbox.namespaces:
                protections["privileges_dropped"] = set(uids or ()) == {self.sandbox.uid}
        seen = _no_new_privs(pid) if pid else None
        if seen is not None or self.sandbox.namespaces:
            protections["no_new_privs"] = bool(seen)
        protections["namespaces"] = _namespaces_of(pid) if pid and self.sandbox.namespaces else {}
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
            with contextlib.suppress(OSError, ValueError):
                self.proc.stdin.close()
            # A reader still waits while a process nobody could end holds the pipe's
            # other end; closing under it would wait as long, so its pipe is left to it.
            for reader in self._readers:
                reader.join(timeout=0.5)
            if not any(reader.is_alive() for reader in self._readers):
                for stream in (self.proc.stdout, self.proc.stderr):
                    with contextlib.suppress(OSError, ValueError):
                        stream.close()
        # Out of reach of the next submission under this uid first, however long removal takes.
        with contextlib.suppress(OSError):
            if self.sandbox.uid is not None:
                os.chown(self.workdir, 0, 0)
            os.chmod(self.workdir, 0o700)
        remove_tree(self.workdir)
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


def _in_namespaces(submission: Path, plotting: bool) -> tuple[list[str], dict, tuple[int, ...]]:
    """The bwrap command that runs the worker in its namespaces, and the paths it sees there."""
    prefix = str(Path(sys.base_prefix).resolve())
    python = str(Path(sys.executable).resolve())
    binds = [(f, f"{namespaces.INSIDE_WORKER}/{f.name}") for f in WORKER_FILES]
    if not Path(python).is_relative_to(prefix):
        binds.append((python, python))
    args = namespaces.command_prefix(
        interpreter_prefix=prefix, site=_site(plotting), binds=binds, submission=str(submission)
    )
    fd = namespaces.args_pipe(args[1:])
    command = [args[0], "--args", str(fd), python, "-I", "-S", "-B", f"{namespaces.INSIDE_WORKER}/{WORKER.name}"]
    paths = {"workdir": namespaces.INSIDE_WORK, "library_paths": [namespaces.INSIDE_SITE], "moved": []}
    return command, paths, (fd,)


def _as_a_process(sandbox: Sandbox, workdir: Path, plotting: bool) -> tuple[list[str], dict, tuple[int, ...]]:
    """The plain command, with the libraries where the sandbox user can read them."""
    entries, moved = _site(plotting), []
    if sandbox.uid is not None:
        mirrored = _mirror(plotting)
        if mirrored is not None:
            moved, entries = mirrored
    folders = [str(Path(path).parent) for path in entries.values()]
    paths = {"workdir": str(workdir), "library_paths": list(dict.fromkeys(folders)), "moved": moved}
    return [sys.executable, "-I", "-S", "-B", str(WORKER)], paths, ()


@functools.lru_cache(maxsize=2)
def _site(plotting: bool) -> dict[str, str]:
    return libraries.site_entries(plotting)


@functools.lru_cache(maxsize=2)
def _mirror(plotting: bool):
    return libraries.readable_mirror(libraries.stdlib_folders(), _site(plotting))


def _worker_pid(pid: int, nested: bool) -> int | None:
    """The worker's PID as this process sees it: bwrap's PID 1 in the namespace starts it."""
    if not nested:
        return pid
    for _ in range(2):  # bwrap outside -> bwrap as PID 1 inside -> the worker
        found = _children_of(pid)
        if len(found) != 1:
            return None
        pid = int(found[0])
    return pid


def _children_of(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return children.read().split()
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN: ask every process for its parent
        found = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    if entry.isdigit() and stat.read().rsplit(b")", 1)[1].split()[1] == str(pid).encode():
                        found.append(entry)
            except (OSError, IndexError):
                continue
        return found


def _no_new_privs(pid: int) -> bool | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"NoNewPrivs:"):
                    return line.split()[1] == b"1"
    except (OSError, IndexError):
        return None
    return None


def _namespaces_of(pid: int) -> dict[str, bool]:
    """For each namespace bwrap was asked for: whether the worker is in a new one."""
    found = {}
    for name in namespaces.NAMESPACES:
        try:
            found[name] = os.readlink(f"/proc/{pid}/ns/{name}") != os.readlink(f"/proc/self/ns/{name}")
        except OSError:
            found[name] = False
    return found


def _mentions_matplotlib(path: Path) -> bool:
    try:
        return b"matplotlib" in path.read_bytes()
    except OSError:
        return False
