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
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

import numpy as np

from autograder.sandbox import libraries, namespaces, warm, wire
from autograder.sandbox.account import (
    TOKEN_VARIABLE,
    Sandbox,
    end_worker_processes,
    remove_tree,
    status_numbers,
    uids_of,
)
from autograder.sandbox.cgroups import GradingGroup
from autograder.sandbox.cpu import CpuMeter, single_descendant

if TYPE_CHECKING:
    from autograder.runner import Limits

WORKER = Path(__file__).parent / "worker.py"
# What the worker runs from: itself, the message format, its seccomp filter and the warm template.
WORKER_FILES = (WORKER, *(Path(__file__).parent / name for name in ("wire.py", "seccomp.py", "fork_server.py")))


# How long the grader waits between two looks at a running call (seconds).
TICK = 0.02
# Bytes written to the request pipe at a time: small enough that a write never
# blocks for long even on a pipe the worker stopped reading.
WRITE_CHUNK = 1 << 16
# Room asked for in the reply pipe (the kernel's default is 64 KiB; Linux allows 1 MiB to anyone).
PIPE_BYTES = 1 << 20


class WorkerDied(Exception):
    pass


class Unsolicited(wire.WireError):
    """The worker wrote on the reply pipe while no request was pending."""


class OutOfTime(TimeoutError):
    """A request used up what it was allowed: ``kind`` is "cpu", "wall" or "stopped"."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Allowance:
    """What one request may use: CPU seconds of the student's processes, and a wall-clock backstop."""

    cpu: float
    wall: float


class SharedArguments:
    """Memory both sides map: array arguments are placed here before a call, and read here after it.

    The grader writes and reads it with ``pwrite``/``pread`` only, never through a
    mapping of its own: student code holds the same file and could shrink it,
    and a mapping past the end of a file kills the process that touches it.
    """

    ALIGN = 64

    def __init__(self):
        if hasattr(os, "memfd_create"):
            self.fd = os.memfd_create("autograder-arguments", os.MFD_CLOEXEC)
        else:
            handle, name = tempfile.mkstemp(prefix="autograder-arguments-")
            os.unlink(name)
            self.fd = handle
        self.size = 0
        self.placed: list[dict] = []

    def reset(self):
        self.placed = []
        self.size = 0

    def place(self, array: np.ndarray) -> dict:
        fortran = array.flags.f_contiguous and not array.flags.c_contiguous
        offset = -(-self.size // self.ALIGN) * self.ALIGN
        # tobytes lays out any array, strided or 0-d, in the order asked; the shape stays the
        # array's own (np.ascontiguousarray would make a 0-d array 1-d).
        os.pwrite(self.fd, array.tobytes(order="F" if fortran else "C"), offset)
        self.size = offset + array.nbytes
        place = {"offset": offset, "dtype": array.dtype.str, "shape": list(array.shape), "fortran": fortran}
        self.placed.append(place)
        return place

    def read(self, place: dict) -> np.ndarray:
        """An array as it is now, after the call: a copy, never a view of the shared memory."""
        dtype = np.dtype(place["dtype"])
        nbytes = int(np.prod(place["shape"], dtype=np.int64)) * dtype.itemsize
        data = os.pread(self.fd, nbytes, place["offset"]) if nbytes else b""
        if len(data) != nbytes:
            raise wire.WireError("the memory holding the arguments was cut short")
        array = np.frombuffer(data, dtype=dtype).reshape(place["shape"], order="F" if place["fortran"] else "C")
        return array.copy(order="K")

    def close(self):
        try:
            os.close(self.fd)
        except OSError:
            pass


class WorkerProcess:
    """One worker process: start, request/reply with a deadline, stop with no survivors."""

    def __init__(self, path, module, limits: Limits, sandbox: Sandbox, group: GradingGroup | None = None):
        self.limits = limits
        self.sandbox = sandbox
        self.group = group if group is not None and group.made else None  # the grading's cgroup, if any
        self.workdir = Path(tempfile.mkdtemp(prefix="autograder-"))
        self.submission = self.workdir / f"{module}.py"
        shutil.copyfile(path, self.submission)
        self.module = module
        self.output = _BoundedBuffer(limits.output_bytes)
        self.proc: subprocess.Popen | None = None
        self.token = secrets.token_hex(12)
        self.protections: dict = {}
        self.shared = SharedArguments() if os.name == "posix" else None
        self.meter: CpuMeter | None = None
        # CPU and wall-clock seconds the last request (or the start) used, even when it failed.
        self.spent_cpu = self.spent_wall = self.spent_asleep = 0.0

    def start(self, allowance: Allowance) -> dict:
        """Start the worker; return its answer to importing the submission."""
        drop = None
        if self.sandbox.uid is not None:
            drop = {"uid": self.sandbox.uid, "gid": self.sandbox.gid}
            for path in (self.workdir, self.submission):
                os.chown(path, self.sandbox.uid, self.sandbox.gid)
            os.chmod(self.workdir, 0o700)
        plotting = _mentions_matplotlib(self.submission)
        joining = self.group.open_for_joining() if self.group is not None else []
        try:
            self._launch(drop, plotting, joining)
        finally:
            for fd in joining:
                os.close(fd)
        self._connect()
        spend = _Spend(self.meter, allowance)
        try:
            armed, _ = self._exchange([], spend)
            if armed.get("stage") != "armed" or not isinstance(armed.get("protections"), dict):
                raise wire.WireError("the worker did not report its protections")
            self.protections = self._checked(armed["protections"])
            if not self.protections.get("control_group"):
                self.meter.cgroup = None  # not seen in the group: its count would miss the worker itself
            self.meter.find_worker()  # the armed worker has imported nothing of the student's yet
            if not armed.get("shared") and self.shared is not None:
                self.shared.close()  # the worker could not map it: arguments cross on the pipe
                self.shared = None
            header, _ = self._exchange([], spend)
        finally:
            spend.finish()
            self.spent_cpu, self.spent_wall, self.spent_asleep = spend.cpu(), spend.wall(), spend.asleep()
        return header

    def _launch(self, drop: dict | None, plotting: bool, joining: list[int]) -> None:
        """Fork the worker from the warm template where there is one, else start it cold.

        ``joining``: descriptors of the grading's cgroups, which the worker joins before anything else.
        """
        # Warm where this process has a template (Matplotlib's binds are the cold worker's only).
        template = None if plotting else warm_template(self.sandbox)
        if template is not None:
            paths = _template_paths(self.sandbox, self.workdir)
            try:
                config = self._config(paths, drop, plotting)
                self.proc = self._fork(template, config, self._environment(paths), joining)
            except warm.TemplateUnavailable:
                drop_template(template)
                template = None
        if template is None:
            if self.sandbox.namespaces:
                command, paths, fds = _in_namespaces(self.submission, plotting)
            else:
                command, paths, fds = _as_a_process(self.sandbox, self.workdir, plotting)
            config = {**self._config(paths, drop, plotting), "cgroup_fds": joining}
            try:
                self.proc = subprocess.Popen(
                    [*command, json.dumps(config)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    cwd=self.workdir,
                    env=self._environment(paths),
                    start_new_session=(os.name == "posix"),
                    pass_fds=(*fds, *joining, *((self.shared.fd,) if self.shared else ())),
                )
            finally:
                for fd in fds:
                    os.close(fd)

    def _config(self, paths: dict, drop: dict | None, plotting: bool) -> dict:
        """What the worker is told: where things are, whom to become, its limits."""
        return {
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
            "shared_fd": self.shared.fd if self.shared else None,
            "seccomp": os.environ.get("AUTOGRADER_SECCOMP", "1") != "0",
        }

    def _environment(self, paths: dict) -> dict:
        return _scrubbed_environment(paths["workdir"], self.token)

    def _fork(
        self, template: warm.WarmTemplate, config: dict, environment: dict, joining: list[int]
    ) -> warm.ForkedWorker:
        """A fresh worker forked from the warm template, with pipes of its own (see ``sandbox/warm.py``)."""
        theirs, ours = [], []
        try:
            for _ in range(3):
                read, write = os.pipe()
                theirs.append(read if not ours else write)
                ours.append(write if not ours else read)
            fds = {"requests": theirs[0], "replies": theirs[1], "printed": theirs[2]}
            if self.sandbox.namespaces:  # the worker writes it into a working folder of its own
                theirs.append(os.open(self.submission, os.O_RDONLY | os.O_NOFOLLOW))
                fds["submission"] = theirs[-1]
            if self.shared is not None:
                fds["shared"] = self.shared.fd
            fds.update({f"cgroup{n}": fd for n, fd in enumerate(joining)})
            tmpfs = namespaces.tmpfs_sizes() if self.sandbox.namespaces else None
            worker = template.spawn(config, environment, fds, isolate=tmpfs)
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        worker.stdin = open(ours[0], "wb", buffering=0)  # closed in stop(), like a Popen's
        worker.stdout = open(ours[1], "rb", buffering=0)
        worker.stderr = open(ours[2], "rb", buffering=0)
        return worker

    def _connect(self):
        """Non-blocking ends of the three pipes, and the meter of the worker's CPU time."""
        self._requests = self.proc.stdin.fileno()
        self._replies = self.proc.stdout.fileno()
        self._printed = self.proc.stderr.fileno()
        if os.name == "posix":
            for fd in (self._requests, self._replies, self._printed):
                os.set_blocking(fd, False)
            _widen(self._replies)
        self.meter = CpuMeter(self.proc.pid, self.sandbox.uid, self.group)

    def _checked(self, protections: dict) -> dict:
        """The worker's own report, confirmed from outside where /proc allows: its users,
        no_new_privs, seccomp filter and namespaces are read from the kernel, not taken from the worker."""
        kept = ("resource_limits", "limits", "privileges_dropped", "no_new_privs", "hidden_files_readable")
        kept += ("keyrings_cleared", "seccomp", "seccomp_refused")
        protections = {key: protections[key] for key in kept if key in protections}
        forked = isinstance(self.proc, warm.ForkedWorker)
        pid = single_descendant(self.proc.pid, 2 if self.sandbox.namespaces else 0)
        if self.sandbox.uid is not None:
            uids = uids_of(pid) if pid else None
            if uids is not None or self.sandbox.namespaces:
                protections["privileges_dropped"] = set(uids or ()) == {self.sandbox.uid}
        seen = _no_new_privs(pid) if pid else None
        if seen is not None or self.sandbox.namespaces:
            protections["no_new_privs"] = bool(seen)
        filtered = _seccomp_filtered(pid) if pid else None
        if filtered is not None or self.sandbox.namespaces:
            protections["seccomp"] = bool(filtered)
        # A forked worker's namespaces are new to the grader and to the template it came from.
        template = self.proc.template.pid if forked else None
        protections["namespaces"] = _namespaces_of(pid, template) if pid and self.sandbox.namespaces else {}
        # What the kernel counts and caps for the grading, by cgroup version: only if the worker is seen in it.
        joined = self.group is not None and pid is not None and pid in self.group.processes()
        protections["control_group"] = self.group.in_force if joined else {}
        protections["warm_start"] = forked
        return protections

    def request(self, header, blobs, allowance: Allowance):
        """Send one request and return its reply, within the allowance; raises OutOfTime,
        WorkerDied or WireError. Nothing the worker sent unasked is ever read as a reply."""
        self._refuse_unsolicited()
        spend = _Spend(self.meter, allowance)
        try:
            return self._exchange(wire.frame(header, blobs), spend)
        finally:
            spend.finish()
            self.spent_cpu, self.spent_wall, self.spent_asleep = spend.cpu(), spend.wall(), spend.asleep()

    def _refuse_unsolicited(self):
        """Before a request: the reply pipe must be empty. Anything there was sent unasked."""
        if not _readable(self._replies):
            return
        waiting = _read_now(self._replies, 1)
        if waiting is None:
            return
        if not waiting:
            raise WorkerDied(self._exit_description())
        raise Unsolicited("it sent a reply nobody asked for (student code writing on the grader's pipe)")

    def _exchange(self, parts: list[bytes], spend: _Spend):
        """Write ``parts`` and read one message, watching the time; drains printed output meanwhile.

        A worker may write its last reply and end at once (an import that failed): its
        reply, its end and the grader's look at it can come in any order. So the pipe is
        read before the worker's state is looked at, and read again once it is seen
        ended: everything an ended worker wrote is in the pipe by then, and only a
        message still incomplete after that last read means it died without answering.
        """
        outgoing = memoryview(b"".join(parts)) if parts else None
        reader = wire.MessageReader(self.limits.reply_mb << 20)
        poller = select.poll() if hasattr(select, "poll") else None
        while True:
            if outgoing is not None and len(outgoing):
                try:
                    written = os.write(self._requests, outgoing[:WRITE_CHUNK])
                    outgoing = outgoing[written:]
                except BlockingIOError:
                    pass
                except (BrokenPipeError, OSError, ValueError):
                    raise WorkerDied(self._exit_description()) from None
            message = self._read_some(reader)
            if message is None:
                spend.check(answered=lambda: _readable(self._replies))
                if not self.meter.alive:  # ended, though a child of it may still hold the pipes open
                    message = self._read_some(reader)  # what it wrote before it ended is all there now
                    if message is None:
                        self._drain_output()
                        raise WorkerDied(self._exit_description())
            if message is not None:
                if outgoing is not None and len(outgoing):
                    raise wire.WireError("it answered before it had read the request")
                # The worker flushed what the call printed before it replied: it is in the pipe now.
                self._drain_output()
                return message
            self._drain_output()
            self._wait(poller, writing=outgoing is not None and len(outgoing) > 0, seconds=spend.tick())

    def _read_some(self, reader):
        """Read what the reply pipe holds, never past the end of the message; the message once whole."""
        while True:
            room = reader.room()
            if room is not None:  # the message's size is known: read straight into its buffer
                count = _read_into(self._replies, room)
                if count is None:
                    return None
                if not count:
                    raise WorkerDied(self._exit_description())
                message = reader.filled_in(count)
            else:
                chunk = _read_now(self._replies, reader.wanted())
                if chunk is None:
                    return None
                if not chunk:
                    raise WorkerDied(self._exit_description())
                message = reader.feed(chunk)
            if message is not None:
                return message

    def _drain_output(self):
        while self._printed is not None:
            chunk = _read_now(self._printed, 65536)
            if chunk is None:
                return
            if not chunk:
                self._printed = None
                return
            self.output.add(chunk)

    def _wait(self, poller, writing: bool, seconds: float):
        fds = [fd for fd in (self._replies, self._printed) if fd is not None]
        if poller is None:
            select.select(fds, [self._requests] if writing else [], [], seconds)
            return
        for fd in fds:
            poller.register(fd, select.POLLIN)
        if writing:
            poller.register(self._requests, select.POLLOUT)
        poller.poll(seconds * 1000)
        for fd in [*fds, self._requests]:
            try:
                poller.unregister(fd)
            except KeyError:
                pass

    def _exit_description(self):
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        if code > 128 and self.sandbox.namespaces and not isinstance(self.proc, warm.ForkedWorker):
            code = 128 - code  # bwrap, the namespace's PID 1, ends with 128 + the signal that ended the worker
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
            # Everything the submission started is in its cgroup, whatever its uid, session or parent.
            survivors = self.group.kill() if self.group is not None else 0
            survivors += end_worker_processes(self.proc, self.sandbox, self.token)
            if isinstance(self.proc, warm.ForkedWorker):
                survivors += self.proc.template.end_orphans()
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        if self.shared is not None:
            self.shared.close()
        # Out of reach of the next submission under this uid first, however long removal takes.
        with contextlib.suppress(OSError):
            if self.sandbox.uid is not None:
                os.chown(self.workdir, 0, 0)
            os.chmod(self.workdir, 0o700)
        remove_tree(self.workdir)
        return survivors


class _Spend:
    """What one request has used so far (CPU seconds, wall clock) against its allowance."""

    def __init__(self, meter: CpuMeter, allowance: Allowance):
        self.meter = meter
        self.allowance = allowance
        self.started_wall = self.looked = time.monotonic()
        self.started_cpu = meter.begin()
        self.started_asleep = meter.asleep
        self.used_cpu = 0.0

    def cpu(self) -> float:
        return self.used_cpu

    def wall(self) -> float:
        return time.monotonic() - self.started_wall

    def asleep(self) -> float:
        """Of ``cpu()``, the seconds charged for sleeping rather than computing."""
        return self.meter.asleep - self.started_asleep

    def finish(self, answered=True):
        self.used_cpu = self.meter.seconds(answered) - self.started_cpu

    def check(self, answered):
        """Raise OutOfTime when the allowance is used up or the worker cannot go on.

        Looks at /proc at most once a tick: within one tick a call cannot use much.
        ``answered()`` says whether a reply waits on the pipe: a worker that has
        replied sleeps until its next request, and that is not the call's sleep.
        """
        now = time.monotonic()
        if now - self.looked < TICK:
            return
        self.looked = now
        self.finish(answered=answered)
        if self.meter.stopped:
            raise OutOfTime("stopped")
        if self.used_cpu > self.allowance.cpu:
            raise OutOfTime("cpu")
        if now - self.started_wall > self.allowance.wall:
            raise OutOfTime("wall")

    def tick(self) -> float:
        left = min(self.allowance.cpu - self.used_cpu, self.allowance.wall - self.wall())
        return max(0.001, min(TICK, left))


def _widen(fd) -> None:
    """Give a pipe room for a large reply (Linux): a 3 MB result then crosses in a few reads, not fifty."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if setting is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, setting, PIPE_BYTES)


def _read_now(fd, size) -> bytes | None:
    """What a non-blocking pipe holds now (up to ``size`` bytes): None if nothing yet, b"" at its end."""
    try:
        return os.read(fd, size)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _read_into(fd, room: memoryview) -> int | None:
    """Like ``_read_now``, into ``room``: the count read, None if nothing yet, 0 at the pipe's end."""
    try:
        return os.readv(fd, [room])
    except BlockingIOError:
        return None
    except OSError:
        return 0
    finally:
        room.release()


def _readable(fd) -> bool:
    try:
        ready, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


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


def _in_namespaces(
    submission: Path | None, plotting: bool, template: bool = False
) -> tuple[list[str], dict, tuple[int, ...]]:
    """The bwrap command that runs the worker (or the template) in namespaces, and the paths it sees there."""
    prefix = str(Path(sys.base_prefix).resolve())
    python = str(Path(sys.executable).resolve())
    binds = [(f, f"{namespaces.INSIDE_WORKER}/{f.name}") for f in WORKER_FILES]
    if not Path(python).is_relative_to(prefix):
        binds.append((python, python))
    args = namespaces.command_prefix(
        interpreter_prefix=prefix,
        site=_site(plotting),
        binds=binds,
        submission=str(submission) if submission else None,
        template=template,
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


# This process's warm templates, by the kind of sandbox they serve (namespaces, root).
_TEMPLATES: dict[tuple[bool, bool], warm.WarmTemplate] = {}


def warm_template(sandbox: Sandbox) -> warm.WarmTemplate | None:
    """This process's template for workers of ``sandbox``, started on first use; None where
    there is none (not Linux, or ``AUTOGRADER_WARM=0``): workers then start cold."""
    if not sys.platform.startswith("linux") or os.environ.get("AUTOGRADER_WARM", "1") == "0":
        return None
    key = (bool(sandbox.namespaces), sandbox.uid is not None)
    template = _TEMPLATES.get(key)
    if template is not None and template.alive():
        return template
    if template is not None:
        drop_template(template)
    try:
        template = _TEMPLATES[key] = _start_template(sandbox)
    except OSError:
        return None
    return template


def warm_template_for_this_machine() -> None:
    """Start the template a grading on this machine will use, if there is none yet."""
    with contextlib.suppress(OSError):
        warm_template(Sandbox.for_this_machine())


def drop_template(template: warm.WarmTemplate) -> None:
    for key, kept in list(_TEMPLATES.items()):
        if kept is template:
            del _TEMPLATES[key]
    template.close()


def _template_paths(sandbox: Sandbox, workdir: Path) -> dict:
    """Where a forked worker finds things: the template's view, and this worker's own folder."""
    if sandbox.namespaces:
        return {"workdir": namespaces.INSIDE_WORK, "library_paths": [namespaces.INSIDE_SITE], "moved": []}
    return {**_as_a_process(sandbox, workdir, plotting=False)[1], "workdir": str(workdir)}


def _start_template(sandbox: Sandbox) -> warm.WarmTemplate:
    if sandbox.namespaces:
        command, paths, fds = _in_namespaces(None, plotting=False, template=True)
    else:
        workdir = Path(tempfile.gettempdir())
        command, paths, fds = _as_a_process(sandbox, workdir, plotting=False)
    config = {"library_paths": paths["library_paths"], "moved": paths["moved"]}
    return warm.WarmTemplate(command, config, _scrubbed_environment("/", ""), fds, nested=sandbox.namespaces)


@functools.lru_cache(maxsize=2)
def _site(plotting: bool) -> dict[str, str]:
    return libraries.site_entries(plotting)


@functools.lru_cache(maxsize=2)
def _mirror(plotting: bool):
    return libraries.readable_mirror(libraries.stdlib_folders(), _site(plotting))


def _no_new_privs(pid: int) -> bool | None:
    flag = status_numbers(pid, b"NoNewPrivs:")
    return flag[0] == 1 if flag else None


def _seccomp_filtered(pid: int) -> bool | None:
    """Whether ``pid`` runs under a seccomp filter (mode 2), as the kernel says; None where unknown."""
    mode = status_numbers(pid, b"Seccomp:")
    return mode[0] == 2 if mode else None


def _namespaces_of(pid: int, template: int | None = None) -> dict[str, bool]:
    """For each namespace asked for: whether the worker is in a new one (new to the template too)."""
    found = {}
    for name in namespaces.NAMESPACES:
        try:
            own = os.readlink(f"/proc/{pid}/ns/{name}")
            others = [os.readlink(f"/proc/{other}/ns/{name}") for other in ("self", template) if other]
            found[name] = own not in others
        except OSError:
            found[name] = False
    return found


def _mentions_matplotlib(path: Path) -> bool:
    try:
        return b"matplotlib" in path.read_bytes()
    except OSError:
        return False
