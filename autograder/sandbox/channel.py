"""Talking to a started worker: requests and replies with deadlines, and what each used.

``WorkerProcess`` is one worker's life as the proxy sees it: ``start`` has
``sandbox/launch.py`` start it and reads its two first messages (the
protections it armed, then whether the submission imported), ``request``
sends one call and reads one reply through ``wire`` while metering the CPU
time of the student's processes, ``stop`` ends it. Nothing the worker sends
is trusted: unasked replies, early answers and oversized messages are refused.
``sandbox/proxy.py`` is in front of it, with the time budgets.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment] # the pipe is then left at the kernel's default size

import numpy as np

from autograder.sandbox import protections, wire
from autograder.sandbox.cgroups import GradingGroup
from autograder.sandbox.cpu import CpuMeter, single_descendant
from autograder.sandbox.launch import Launched, launch
from autograder.sandbox.limits import Limits
from autograder.sandbox.policy import Sandbox

# How long the grader waits between two looks at a running call (seconds).
TICK = 0.02
# Bytes written to the request pipe at a time: small enough that a write never
# blocks for long even on a pipe the worker stopped reading.
WRITE_CHUNK = 1 << 16
# Room asked for in the reply pipe (the kernel's default is 64 KiB; Linux allows 1 MiB to anyone).
PIPE_BYTES = 1 << 20


class WorkerDied(Exception):
    """The worker ended, or stopped answering, before it replied."""


class Unsolicited(wire.WireError):
    """The worker wrote on the reply pipe while no request was pending."""


class OutOfTime(TimeoutError):
    """A request used up what it was allowed: ``kind`` is "cpu", "wall" or "stopped"."""

    def __init__(self, kind: str) -> None:
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

    def __init__(self) -> None:
        if hasattr(os, "memfd_create"):
            self.fd = os.memfd_create("autograder-arguments", os.MFD_CLOEXEC)
        else:
            handle, name = tempfile.mkstemp(prefix="autograder-arguments-")
            os.unlink(name)
            self.fd = handle
        self.size = 0
        self.placed: list[dict[str, Any]] = []

    def reset(self) -> None:
        self.placed = []
        self.size = 0

    def place(self, array: np.ndarray) -> dict[str, Any]:
        fortran = array.flags.f_contiguous and not array.flags.c_contiguous
        offset = -(-self.size // self.ALIGN) * self.ALIGN
        # tobytes lays out any array, strided or 0-d, in the order asked; the shape stays the
        # array's own (np.ascontiguousarray would make a 0-d array 1-d). A C-ordered one is
        # written from its own memory, without that copy.
        if array.flags.c_contiguous:
            data: Any = memoryview(array.reshape(-1).view(np.uint8))  # type: ignore[arg-type] # NumPy declares the buffer protocol for Python 3.12+ only
        else:
            data = array.tobytes(order="F" if fortran else "C")
        os.pwrite(self.fd, data, offset)
        self.size = offset + array.nbytes
        place = {"offset": offset, "dtype": array.dtype.str, "shape": list(array.shape), "fortran": fortran}
        self.placed.append(place)
        return place

    def read(self, place: dict[str, Any]) -> np.ndarray:
        """An array as it is now, after the call: a copy, never a view of the shared memory."""
        dtype = np.dtype(place["dtype"])
        # Read straight into the array's own memory: no bytes object, no second copy.
        array = np.empty(place["shape"], dtype=dtype, order="F" if place["fortran"] else "C")
        if array.nbytes:
            room = memoryview(array.ravel(order="K").view(np.uint8))  # type: ignore[arg-type] # as in place()
            if os.preadv(self.fd, [room], place["offset"]) != array.nbytes:
                raise wire.WireError("the memory holding the arguments was cut short")
        return array

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


class WorkerProcess:
    """One worker: start, request/reply with a deadline, stop with no survivors."""

    def __init__(self, path: Path, module: str, limits: Limits, sandbox: Sandbox, group: GradingGroup | None = None):
        self.path = path
        self.module = module
        self.limits = limits
        self.sandbox = sandbox
        self.group = group if group is not None and group.made else None  # the grading's cgroup, if any
        self.output = _BoundedBuffer(limits.output_bytes)
        self.launched: Launched | None = None
        self.protections: dict[str, Any] = {}
        self.shared = SharedArguments() if os.name == "posix" else None
        self.meter: CpuMeter | None = None
        # CPU and wall-clock seconds the last request (or the start) used, even when it failed.
        self.spent_cpu = self.spent_wall = self.spent_asleep = 0.0

    @property
    def cpu_measured(self) -> bool:
        """Whether the budgets are CPU seconds (False: wall-clock seconds, where there is no /proc)."""
        return self.meter is not None and self.meter.measured

    def start(self, allowance: Allowance) -> dict[str, Any]:
        """Start the worker; return its answer to importing the submission."""
        shared_fd = self.shared.fd if self.shared is not None else None
        self.launched = launch(self.path, self.module, self.limits, self.sandbox, self.group, shared_fd)
        meter = self._connect(self.launched)
        spend = _Spend(meter, allowance)
        try:
            armed, _ = self._exchange([], spend)
            if armed.get("stage") != "armed" or not isinstance(armed.get("protections"), dict):
                raise wire.WireError("the worker did not report its protections")
            pid = single_descendant(self.launched.handle.pid, 2 if self.sandbox.namespaces else 0)
            template = self.launched.template.pid if self.launched.template is not None else None
            self.protections = protections.confirmed(armed["protections"], pid, template, self.sandbox, self.group)
            if not self.protections.get("control_group"):
                meter.cgroup = None  # not seen in the group: its count would miss the worker itself
            meter.find_worker()  # the armed worker has imported nothing of the student's yet
            if not armed.get("shared") and self.shared is not None:
                self.shared.close()  # the worker could not map it: arguments cross on the pipe
                self.shared = None
            header, _ = self._exchange([], spend)
        finally:
            spend.finish()
            self.spent_cpu, self.spent_wall, self.spent_asleep = spend.cpu(), spend.wall(), spend.asleep()
        return header

    def _connect(self, launched: Launched) -> CpuMeter:
        """Non-blocking ends of the three pipes, and the meter of the worker's CPU time."""
        handle = launched.handle
        if handle.stdin is None or handle.stdout is None or handle.stderr is None:
            raise WorkerDied("it was started without its pipes")
        self._requests = handle.stdin.fileno()
        self._replies = handle.stdout.fileno()
        self._printed: int | None = handle.stderr.fileno()
        if os.name == "posix":
            for fd in (self._requests, self._replies, self._printed):
                os.set_blocking(fd, False)
            _widen(self._replies)
        self.meter = CpuMeter(handle.pid, self.sandbox.uid, self.group)
        return self.meter

    def request(self, header: dict[str, Any], blobs: list[np.ndarray], allowance: Allowance) -> tuple[Any, list[Any]]:
        """Send one request and return its reply, within the allowance; raises OutOfTime,
        WorkerDied or WireError. Nothing the worker sent unasked is ever read as a reply."""
        if self.meter is None:
            raise WorkerDied("it was never started")
        self._refuse_unsolicited()
        spend = _Spend(self.meter, allowance)
        try:
            return self._exchange(wire.frame(header, blobs), spend)
        finally:
            spend.finish()
            self.spent_cpu, self.spent_wall, self.spent_asleep = spend.cpu(), spend.wall(), spend.asleep()

    def _refuse_unsolicited(self) -> None:
        """Before a request: the reply pipe must be empty. Anything there was sent unasked."""
        if not _readable(self._replies):
            return
        waiting = _read_now(self._replies, 1)
        if waiting is None:
            return
        if not waiting:
            raise WorkerDied(self._exit_description())
        raise Unsolicited("it sent a reply nobody asked for (student code writing on the grader's pipe)")

    def _exchange(self, parts: list[bytes], spend: _Spend) -> tuple[Any, list[Any]]:
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
                if not spend.meter.alive:  # ended, though a child of it may still hold the pipes open
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

    def _read_some(self, reader: wire.MessageReader) -> tuple[Any, list[Any]] | None:
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

    def _drain_output(self) -> None:
        while self._printed is not None:
            chunk = _read_now(self._printed, 65536)
            if chunk is None:
                return
            if not chunk:
                self._printed = None
                return
            self.output.add(chunk)

    def _wait(self, poller: select.poll | None, writing: bool, seconds: float) -> None:
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

    def _exit_description(self) -> str:
        if self.launched is None:
            return "it was never started"
        try:
            code = self.launched.handle.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        if code > 128 and self.launched.exit_code_offset_by_pid1:
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

    def alive(self) -> bool:
        return self.launched is not None and self.launched.handle.poll() is None

    def take_output(self) -> str:
        return self.output.take()

    def stop(self) -> int:
        """End the worker and everything it started; remove its folder.

        Returns how many of its processes could not be ended (0 when all are gone).
        """
        survivors = self.launched.end() if self.launched is not None else 0
        if self.shared is not None:
            self.shared.close()
        return survivors


class _Spend:
    """What one request has used so far (CPU seconds, wall clock) against its allowance."""

    def __init__(self, meter: CpuMeter, allowance: Allowance) -> None:
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

    def finish(self, answered: bool | Callable[[], bool] = True) -> None:
        self.used_cpu = self.meter.seconds(answered) - self.started_cpu

    def check(self, answered: Callable[[], bool]) -> None:
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


def _widen(fd: int) -> None:
    """Give a pipe room for a large reply (Linux): a 3 MB result then crosses in a few reads, not fifty."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if setting is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, setting, PIPE_BYTES)


def _read_now(fd: int, size: int) -> bytes | None:
    """What a non-blocking pipe holds now (up to ``size`` bytes): None if nothing yet, b"" at its end."""
    try:
        return os.read(fd, size)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _read_into(fd: int, room: memoryview) -> int | None:
    """Like ``_read_now``, into ``room``: the count read, None if nothing yet, 0 at the pipe's end."""
    try:
        return os.readv(fd, [room])
    except BlockingIOError:
        return None
    except OSError:
        return 0
    finally:
        room.release()


def _readable(fd: int) -> bool:
    try:
        ready, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


class _BoundedBuffer:
    """Keeps the first ``limit`` bytes of output and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0
        self.lock = threading.Lock()

    def add(self, chunk: bytes) -> None:
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
