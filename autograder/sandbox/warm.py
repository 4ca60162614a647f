"""Warm workers, seen from the grader: one template per grading process, one fork per worker.

A cold worker is a new interpreter that imports NumPy before it can import the
submission: about 70 ms of CPU, paid for every student. ``WarmTemplate``
starts that interpreter once (``sandbox/fork_server.py``: in bubblewrap where
namespaces work, as root with only the capabilities it needs to make new
namespaces and become the sandbox user) and asks it for a fresh worker per
submission; a fork costs a few milliseconds. The template never runs student
code: it is started before any submission is known and forks before a
worker reads its submission.

``ForkedWorker`` stands where ``subprocess.Popen`` stands for a cold worker
(``pid``, ``poll``, ``wait``, the three pipes), so ``channel.WorkerProcess``
treats both alike. Where the template cannot start or answer, the worker is
started cold, and grading goes on.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import signal
import socket
import subprocess
import tempfile
import time
from typing import IO

from autograder.sandbox.account import kill_until_gone, status_numbers
from autograder.sandbox.cpu import children_of, read_stat, single_descendant

# Seconds the grader waits for the template to fork (it does nothing else).
ANSWER_SECONDS = 10.0


class TemplateUnavailable(OSError):
    """The template could not start or stopped answering: start this worker cold."""


class WarmTemplate:
    """The template process and its control socket; ``spawn`` returns a ``ForkedWorker``."""

    def __init__(self, command: list[str], config: dict, env: dict, pass_fds=(), nested: bool = False):
        self.nested = nested  # the template runs in namespaces of its own (bubblewrap)
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._log = tempfile.TemporaryFile()
        self._ended: dict[int, int] = {}
        self._workers: dict[int, int] = {}  # live workers: request number -> PID here
        self._numbers = itertools.count(1)
        try:
            self.proc = subprocess.Popen(
                [*command, json.dumps({**config, "template": True, "control_fd": theirs.fileno()})],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                cwd="/",
                env=env,
                start_new_session=True,
                pass_fds=(theirs.fileno(), *pass_fds),
            )
        finally:
            theirs.close()
            for fd in pass_fds:
                os.close(fd)
        self.pid: int | None = None  # the template itself, as this process sees it

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn(self, config: dict, environment: dict, fds: dict[str, int], isolate: dict | None) -> ForkedWorker:
        """Ask for a fresh worker with ``fds`` (requests, replies, printed, and optional submission, shared);
        ``isolate``: new namespaces with tmpfs folders of these sizes (``namespaces.tmpfs_sizes``), or None."""
        number = next(self._numbers)
        names = list(fds)
        request = {
            "spawn": number,
            "config": config,
            "environment": environment,
            "descriptors": names,
            "isolate": isolate,
        }
        try:
            socket.send_fds(self._control, [json.dumps(request).encode()], [fds[name] for name in names])
        except OSError as error:
            raise TemplateUnavailable(f"the template took no request ({error})") from None
        answer = self._answer(lambda message: message.get("spawned") == number)
        pid = self._host_pid(int(answer["pid"]))
        if pid is None:
            raise TemplateUnavailable("the forked worker could not be found")
        self._workers[number] = pid
        return ForkedWorker(self, number, pid)

    def end_orphans(self) -> int:
        """End the processes left to the template (its children that are no live worker); returns the survivors.

        Without namespaces and a sandbox user nothing else finds a process that
        left its worker's session without exec: it has the template's environment.
        """
        if self.pid is None:
            return 0
        workers = self._workers.values()
        return kill_until_gone(lambda: [p for p in children_of(self.pid) if p not in workers and _alive(p)])

    def status(self, number: int, wait: float = 0.0) -> int | None:
        """The wait status of worker ``number`` once it ended (as the template reports it), else None."""
        if number not in self._ended:
            try:
                self._answer(lambda message: message.get("ended") == number, seconds=wait)
            except TemplateUnavailable:
                # No answer yet; a template that is gone took its workers with it.
                return -signal.SIGKILL if not self.alive() else None
        return self._ended.get(number)

    def _answer(self, wanted, seconds: float = ANSWER_SECONDS) -> dict:
        """Read the template's messages until one is ``wanted``; "ended" ones are kept on the way."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._control], [], [], max(0.0, left))
            if not ready:
                raise TemplateUnavailable("the template did not answer")
            try:
                data = self._control.recv(1 << 16)
            except OSError as error:
                raise TemplateUnavailable(f"the template's socket failed ({error})") from None
            if not data:
                raise TemplateUnavailable(f"the template ended: {self.log()}")
            message = json.loads(data)
            if "ended" in message:
                self._ended[int(message["ended"])] = int(message["status"])
                self._workers.pop(int(message["ended"]), None)
            if wanted(message):
                return message

    def _host_pid(self, pid: int) -> int | None:
        """The forked worker's PID here: the template reports it as its namespace numbers it."""
        if self.pid is None:
            self.pid = single_descendant(self.proc.pid, 2 if self.nested else 0)
        if self.pid is None:
            return None
        if not self.nested:
            return pid
        for child in children_of(self.pid):
            if _nspid(child)[-1:] == [pid]:
                return child
        return None

    def log(self) -> str:
        with contextlib.suppress(OSError):
            self._log.seek(0)
            return self._log.read()[-2000:].decode("utf-8", "replace").strip() or "(it printed nothing)"
        return "(its output is lost)"

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._control.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log.close()


class ForkedWorker:
    """A worker forked by the template, with what ``launch.WorkerHandle`` asks of a ``Popen``."""

    def __init__(self, template: WarmTemplate, number: int, pid: int):
        self.template = template
        self.number = number
        self.pid = pid
        self.returncode: int | None = None
        # Set by the caller: its ends of the pipes.
        self.stdin: IO[bytes] | None = None
        self.stdout: IO[bytes] | None = None
        self.stderr: IO[bytes] | None = None

    def poll(self) -> int | None:
        return self._status(0.0)

    def wait(self, timeout: float | None = None) -> int:
        waited = ANSWER_SECONDS * 6 if timeout is None else timeout
        code = self._status(waited)
        if code is None:
            raise subprocess.TimeoutExpired(f"worker {self.pid}", waited)
        return code

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)

    def _status(self, wait: float) -> int | None:
        if self.returncode is None:
            status = self.template.status(self.number, wait)
            if status is not None:
                self.returncode = status if status < 0 else os.waitstatus_to_exitcode(status)
        return self.returncode


def _alive(pid: int) -> bool:
    """Not yet ended: a zombie waits only for the template to collect it."""
    stat = read_stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _nspid(pid: int) -> list[int]:
    """The PIDs of ``pid`` in each namespace it is in, outermost first (``NSpid`` in /proc)."""
    return status_numbers(pid, b"NSpid:") or []
