"""CPU time of the student's processes, measured from outside them.

Budgets are in CPU seconds so that a grade does not depend on how busy the
machine is: a call that waits for a processor because six other gradings run
beside it is not charged for the wait. The numbers come from ``/proc/<pid>/stat``
(user + system time), read by the grader; nothing the student's process says
about itself is used.

What is counted:
- the worker: its own time and that of the children it collected (``cutime``);
- every other process of the sandbox user (as root), or of the worker's process
  group (otherwise), while it is alive: the same. A process seen running and
  later collected by its parent is counted twice; a process that starts and ends
  between two looks of the grader, with a parent outside the count, is not
  counted at all. The wall-clock backstop (``limits.BACKSTOP``) bounds what
  escapes the count.

Time spent not computing is charged like CPU time (``asleep``): honest code
computes and never waits on nothing, and a call that sleeps or blocks must not
outlast its budget just because waiting costs no CPU. A process computes only
while one of its threads is running or waiting for a processor (state ``R``);
every other state counts as waiting, whatever it is called: asleep (``S``),
stopped, or in an uninterruptible wait (``D``: a parent waiting on its
``vfork`` child, a read from a slow disk). The time is charged while no
process of the submission computes.

Where the grading has a cgroup (``cgroups.py``), the CPU seconds are the
kernel's count for the group instead: every process that ever ran in it, seen
or not, collected by its parent or by the kernel (SIGCHLD ignored) or by a
namespace's PID 1. The processes looked at for their state are then the
group's members.

Where ``/proc`` is missing (macOS, Windows) the meter counts wall-clock
seconds instead, and ``measured`` says so.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autograder.sandbox.cgroups import GradingGroup

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") and "SC_CLK_TCK" in os.sysconf_names else 100
# How often (seconds of wall clock) the grader looks for the student's other
# processes while a call runs: a full look reads every entry of /proc.
FULL_LOOK_EVERY = 0.25
# The state of a process (of one of its threads) using or waiting for a processor;
# every other state is time not computing.
COMPUTING = "R"
STOPPED = {"T", "t"}
# A count this recent (seconds) is reused at the start of the next call.
FRESH = 0.01


def read_stat(pid: int) -> tuple[str, int, int, float, int] | None:
    """(state, parent pid, process group, CPU seconds incl. collected children, start time) of ``pid``."""
    try:  # read at every look during a call: plain descriptors, no file object
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
        try:
            text = os.read(fd, 4096)
        finally:
            os.close(fd)
    except OSError:
        return None
    # The command name is in parentheses and may itself hold spaces or ")".
    fields = text[text.rfind(b")") + 2 :].split()
    try:
        ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        return fields[0].decode(), int(fields[1]), int(fields[2]), ticks / TICKS, int(fields[19])
    except (IndexError, ValueError):
        return None


class CpuMeter:
    """The CPU seconds used so far by one worker and the processes it started."""

    def __init__(self, pid: int, uid: int | None, cgroup: GradingGroup | None = None):
        self.pid = pid  # the worker (see ``find_worker``)
        self.group = pid  # the process group the worker was started in
        self.uid = uid
        self.cgroup = cgroup if cgroup is not None and "cpu_time" in cgroup.versions else None
        self._cgroup_start = self.cgroup.cpu_seconds() or 0.0 if self.cgroup is not None else 0.0
        self.measured = os.path.isdir(f"/proc/{pid}")
        # CPU seconds last seen of the worker's other processes, by (pid, start time).
        self._others: dict[tuple[int, int], float] = {}
        self._others_waiting = True  # no other process of the submission computes
        self._worker = 0.0
        self.asleep = 0.0  # seconds charged for not computing (asleep, blocked) during calls
        self._last_look = time.monotonic()
        self._last_full = 0.0
        self._total = 0.0
        self.stopped = False  # the worker was seen stopped (SIGSTOP): it cannot answer
        self.alive = True

    def begin(self) -> float:
        """The count at the start of a call: time between calls is never charged as sleep.

        Right after the last call's end the count of then is used: a worker waiting
        for its next request uses no CPU, and what its children use meanwhile is
        charged to the next call that sees it.
        """
        now = time.monotonic()
        recent = now - self._last_look < FRESH
        self._last_look = now
        return self._total if recent else self.seconds()

    def seconds(self, answered=False) -> float:
        """CPU seconds (and seconds asleep) used so far; wall-clock seconds where /proc is missing.

        ``answered`` (a bool, or a function asked when needed): the call has
        replied, so a worker asleep now is waiting for the next request, and the
        time since the last look is not sleep.
        """
        now = time.monotonic()
        if not self.measured:
            self.asleep += now - self._last_look
            self._last_look = now
            self._total = self.asleep
            return self._total
        stat = read_stat(self.pid)
        if stat is None:
            self.alive = False
        else:
            state, cpu = stat[0], stat[3]
            self._worker = max(self._worker, cpu)
            self.stopped = state in STOPPED
            self.alive = state not in ("Z", "X")
            if now - self._last_full >= FULL_LOOK_EVERY:
                self._others_waiting = self._look_at_others()
                self._last_full = now
            # Asked only after the state was read: a reply sent since is seen. A worker that
            # has replied waits for the next request, so its threads need no look then.
            if (
                self._others_waiting
                and not (answered() if callable(answered) else answered)
                and not computing(self.pid, state)
            ):
                self.asleep += now - self._last_look
        self._last_look = now
        counted = self.cgroup.cpu_seconds() if self.cgroup is not None else None
        if counted is not None:  # the kernel's count of the whole group since this worker started
            self._total = max(counted - self._cgroup_start, 0.0) + self.asleep
        else:
            self._total = self._worker + sum(self._others.values()) + self.asleep
        return self._total

    def _look_at_others(self) -> bool:
        """Update the CPU seconds of the worker's other processes; True if none of them computes."""
        all_waiting = True
        try:
            entries = [str(pid) for pid in self.cgroup.processes()] if self.cgroup else os.listdir("/proc")
        except OSError:
            return True
        for entry in entries:
            if not entry.isdigit() or int(entry) == self.pid:
                continue
            pid = int(entry)
            if self.cgroup is not None:  # every member is the submission's, whatever its uid
                stat = read_stat(pid)
            elif self.uid is not None:
                if _owner(pid) != self.uid:
                    continue
                stat = read_stat(pid)
            else:
                stat = read_stat(pid)
                if stat is None or stat[2] != self.group:
                    continue
            if stat is None:
                continue
            state, _, _, cpu, started = stat
            self._others[pid, started] = max(self._others.get((pid, started), 0.0), cpu)
            all_waiting = all_waiting and not computing(pid, state)
        return all_waiting

    def find_worker(self) -> None:
        """Follow the started process down to the worker: the first process of the sandbox user.

        A launcher (bubblewrap, for one) runs as the grader's user and may start
        the worker as its child or grandchild; the worker has dropped to the
        sandbox user before it reports for work, and its own children are never
        looked at, since the walk stops at the worker.
        """
        if not self.measured or self.uid is None:
            return
        pid = self.pid
        for _ in range(4):
            if _owner(pid) == self.uid:
                break
            children = children_of(pid)
            if len(children) != 1:
                return
            pid = children[0]
        self.pid = pid


def computing(pid: int, state: str) -> bool:
    """Whether ``pid`` (its main thread in ``state``) uses or waits for a processor in any of its threads.

    ``/proc/<pid>/stat`` gives the main thread's state only: a main thread that
    waits (joins) while another thread computes is computing.
    """
    if state == COMPUTING:
        return True
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    return any(_thread_state(pid, thread) == COMPUTING for thread in threads if thread != str(pid))


def _thread_state(pid: int, thread: str) -> str | None:
    try:
        with open(f"/proc/{pid}/task/{thread}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    return text[text.rfind(b")") + 2 :][:1].decode()


def single_descendant(pid: int, depth: int) -> int | None:
    """The process ``depth`` levels below ``pid``, each level its parent's first child; None if not so.

    A launcher's chain: bwrap outside -> bwrap as PID 1 inside -> the worker, or
    the warm template's child -> PID 1 of the worker's namespace -> the worker.
    PID 1 also adopts what the worker's own children leave behind (a double fork
    at import may run before this looks): the worker is the child started first,
    the others being its descendants. Where that is not clear (two started in the
    same clock tick), None.
    """
    for _ in range(int(depth)):
        found = children_of(pid)
        first = found[0] if len(found) == 1 else _started_first(found)
        if first is None:
            return None
        pid = first
    return pid


def _started_first(pids: list[int]) -> int | None:
    """The one of ``pids`` started strictly before every other, or None."""
    started = sorted((stat[4], pid) for pid in pids if (stat := read_stat(pid)) is not None)
    if not started or (len(started) > 1 and started[0][0] == started[1][0]):
        return None
    return started[0][1]


def children_of(pid: int) -> list[int]:
    """The children of ``pid``: from the kernel's list where it keeps one, else by asking every process."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(n) for n in children.read().split()]
    except (OSError, ValueError):  # a kernel without CONFIG_PROC_CHILDREN
        return [int(e) for e in os.listdir("/proc") if e.isdigit() and _parent(int(e)) == pid]


def _parent(pid: int) -> int | None:
    stat = read_stat(pid)
    return stat[1] if stat is not None else None


def _owner(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None
