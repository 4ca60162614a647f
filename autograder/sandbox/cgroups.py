"""One control group per grading: the kernel counts and caps what the submission's processes use.

Grader side. A cgroup holds every process started in it, whatever the process
does with its children (ignores SIGCHLD, leaves orphans to a namespace's PID 1,
forks from a grandchild): the kernel adds up the CPU time of each process that
ever ran in it, charges it the memory its processes touch (file and shared
memory included: memfd, tmpfs, /dev/shm pages), caps its processes, and gives it
one share of the processors beside the other gradings. ``docs/security.md``
("The kernel counts") gives the design.

Each grading makes a group below the grader's own group in every hierarchy it
uses (so the grader's own limits, a container's say, still hold over it):

- cgroup v2 (``/sys/fs/cgroup`` on a pure v2 machine, ``/sys/fs/cgroup/unified``
  on a hybrid one): ``cpu.stat`` (``usage_usec``, kept by the kernel even with
  no controller enabled) and ``cgroup.kill``; and, where its controllers are
  enabled (or can be), ``memory.max`` with ``memory.swap.max`` 0, ``pids.max``,
  ``cpu.max`` and ``cpu.weight``;
- cgroup v1, for each controller v2 lacks here (a hybrid machine binds them to
  v1): ``cpuacct.usage``, ``memory.limit_in_bytes`` and
  ``memory.memsw.limit_in_bytes``, ``pids.max``, ``cpu.cfs_quota_us`` and
  ``cpu.shares``.

The worker joins the group itself, first thing, through descriptors of the
groups' ``cgroup.procs`` opened here (the kernel checks the opener's rights),
and closes them before any student code runs; every process it starts is in
the group from birth and cannot leave it. Where no group can be made (not
Linux, not root, a container without a writable cgroup file system),
``GradingGroup.make`` returns a group with nothing in force and the budgets
fall back to ``cpu.py``'s count of the processes it can see.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
# A processor per grading, at most: grade-all runs one grading per core.
CPU_PERIOD_US = 100_000
CPU_QUOTA_US = 100_000
# Equal shares: the kernel's default weight (v2) and shares (v1), written so that none is inherited.
CPU_WEIGHT = 100
CPU_SHARES = 1024
# The controllers a grading uses, and the v1 hierarchy each lives in when v2 lacks it.
CONTROLLERS = ("cpu", "memory", "pids")
V1_FOLDER = {"cpu_time": "cpuacct", "cpu": "cpu", "memory": "memory", "pids": "pids"}
_NAMES = itertools.count(1)


@dataclass
class GradingGroup:
    """The groups of one grading: where each resource is counted or capped, and how."""

    # Resource -> the group's folder: "cpu_time", "kill" (v2 only), "cpu", "memory", "pids".
    folders: dict[str, Path] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)  # resource -> 1 or 2
    why_not: str = ""  # why nothing (or not everything) is in force
    made: list[Path] = field(default_factory=list)  # the folders made, one per hierarchy
    # When the CPU count was last read (time.monotonic()), and what it said.
    _cpu_read: tuple[float, float | None] = field(default=(float("-inf"), None), repr=False, compare=False)
    # The folder whose count was last read, and the path of its count's file.
    _cpu_file: tuple[Path | None, str] = field(default=(None, ""), repr=False, compare=False)

    @classmethod
    def make(cls, memory_mb: int, processes: int) -> GradingGroup:
        """A new group for one grading, capped at ``memory_mb`` (no swap) and ``processes`` tasks."""
        group = cls()
        if not _machine_allows():
            group.why_not = "not root on Linux"
            return group
        name = f"autograder-{os.getpid()}-{next(_NAMES)}"
        refused = ""
        for step in (group._make_v2, group._make_v1):
            try:
                step(name)
            except OSError as error:  # a read-only or delegated cgroup file system: the other version may do
                refused = f"the cgroup file system refused ({error.strerror or error})"
        try:
            group._cap(memory_mb, processes)
        except OSError as error:
            group.remove()
            return cls(why_not=f"the cgroup file system refused a limit ({error.strerror or error})")
        _remove_strays(group.made)
        if "cpu_time" not in group.folders:
            group.remove()
            return cls(why_not=refused or "no cgroup file system is mounted")
        return group

    def _make_v2(self, name: str) -> None:
        mount = _v2_mount()
        if mount is None:
            return
        base = mount / _own_path("")
        folder = base / name
        enabled = _enable_controllers(base)
        folder.mkdir(mode=0o755)
        self.made.append(folder)
        if (folder / "cpu.stat").exists():
            self._use("cpu_time", folder, 2)
        if (folder / "cgroup.kill").exists():
            self._use("kill", folder, 2)
        for controller in CONTROLLERS:
            if controller in enabled:
                self._use(controller, folder, 2)

    def _make_v1(self, name: str) -> None:
        for resource, hierarchy in V1_FOLDER.items():
            if resource in self.versions:
                continue
            mount = (ROOT / hierarchy).resolve()  # cpu and cpuacct are often one hierarchy, linked twice
            if not (mount / "cgroup.procs").exists() or hierarchy not in _v1_hierarchies():
                continue
            folder = self._folder_of(mount) or mount / _own_path(hierarchy) / name
            if folder not in self.made:
                folder.mkdir(mode=0o755)
                self.made.append(folder)
            self._use(resource, folder, 1)

    def _cap(self, memory_mb: int, processes: int) -> None:
        limit = str(int(memory_mb) << 20)
        writes: list[tuple[str, str, str]] = []
        if self.versions.get("memory") == 2:
            writes += [("memory", "memory.max", limit), ("memory", "memory.swap.max", "0")]
        elif self.versions.get("memory") == 1:
            writes += [("memory", "memory.limit_in_bytes", limit), ("memory", "memory.memsw.limit_in_bytes", limit)]
        if "pids" in self.versions:
            writes.append(("pids", "pids.max", str(int(processes))))
        if self.versions.get("cpu") == 2:
            writes += [("cpu", "cpu.max", f"{CPU_QUOTA_US} {CPU_PERIOD_US}"), ("cpu", "cpu.weight", str(CPU_WEIGHT))]
        elif self.versions.get("cpu") == 1:
            writes += [
                ("cpu", "cpu.cfs_period_us", str(CPU_PERIOD_US)),
                ("cpu", "cpu.cfs_quota_us", str(CPU_QUOTA_US)),
                ("cpu", "cpu.shares", str(CPU_SHARES)),
            ]
        for resource, name, value in writes:
            path = self.folders[resource] / name
            if name == "memory.memsw.limit_in_bytes" and not path.exists():
                continue  # a kernel without swap accounting: no swap to count
            path.write_text(value)

    def _use(self, resource: str, folder: Path, version: int) -> None:
        self.folders[resource] = folder
        self.versions[resource] = version

    def _folder_of(self, mount: Path) -> Path | None:
        return next((folder for folder in self.made if folder.is_relative_to(mount)), None)

    # -- what the grading sees ------------------------------------------------------------------
    @property
    def in_force(self) -> dict[str, str]:
        """Each resource the kernel counts or caps, with the cgroup version that does it ("v1"/"v2")."""
        return {resource: f"v{version}" for resource, version in self.versions.items()}

    def missing(self) -> list[str]:
        """What no group counts or caps, for results.json's ``not_in_force``."""
        if not self.versions:
            return [
                f"control group: none made ({self.why_not}), so CPU time is counted only for the "
                "processes the grader sees while they run, memory only per process (shared and file "
                "memory uncounted), and gradings side by side get no equal share of the processors"
            ]
        absent = {
            "memory": "memory cap of the whole submission (shared and file memory included)",
            "pids": "process count of the whole submission",
            "cpu": "equal share of the processors beside other gradings",
        }
        return [f"control group: no {what}" for resource, what in absent.items() if resource not in self.versions]

    def open_for_joining(self) -> list[int]:
        """Descriptors of each group's ``cgroup.procs``: the worker writes "0" to each to join, then closes them."""
        fds = []
        try:
            for folder in self.made:
                fds.append(os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC))
        except OSError:
            for fd in fds:
                os.close(fd)
            raise
        return fds

    def cpu_seconds(self, within: float = 0.0) -> float | None:
        """CPU seconds of every process that ever ran in the group; None if unreadable.

        With ``within``, a count read less than that many seconds ago (by anyone) does.
        """
        read_at, count = self._cpu_read
        now = time.monotonic()
        if now - read_at < within:
            return count
        count = self._read_cpu_seconds()
        self._cpu_read = (now, count)
        return count

    def _read_cpu_seconds(self) -> float | None:
        # Read hundreds of times per grading: plain descriptors and bytes, no Path or text layer.
        folder = self.folders.get("cpu_time")
        if folder is None:
            return None
        version = self.versions["cpu_time"]
        if self._cpu_file[0] != folder:
            self._cpu_file = (folder, str(folder / ("cpu.stat" if version == 2 else "cpuacct.usage")))
        try:
            fd = os.open(self._cpu_file[1], os.O_RDONLY | os.O_CLOEXEC)
            try:
                data = os.read(fd, 4096)
            finally:
                os.close(fd)
            if version == 2:
                for line in data.splitlines():
                    if line.startswith(b"usage_usec "):
                        return int(line.split()[1]) / 1e6
                return None
            return int(data) / 1e9
        except (OSError, ValueError):
            return None

    def memory_peak(self) -> int | None:
        """The most memory (bytes, swap included where counted) the group held at once; None if not counted."""
        folder = self.folders.get("memory")
        if folder is None:
            return None
        names = ["memory.peak"] if self.versions["memory"] == 2 else ["memory.memsw.max_usage_in_bytes"]
        names.append("memory.max_usage_in_bytes")
        for name in names:
            with contextlib.suppress(OSError, ValueError):
                return int((folder / name).read_text())
        return None

    def reset_memory_peak(self) -> None:
        """Start the peak anew (v1; v2's memory.peak is kept from the group's making)."""
        folder = self.folders.get("memory")
        if folder is not None and self.versions["memory"] == 1:
            for name in ("memory.max_usage_in_bytes", "memory.memsw.max_usage_in_bytes"):
                with contextlib.suppress(OSError):
                    (folder / name).write_text("0")

    def processes(self) -> list[int]:
        """PIDs of every process in the group (as the grader numbers them)."""
        pids: set[int] = set()
        for folder in self.made:
            with contextlib.suppress(OSError, ValueError):
                pids.update(int(n) for n in (folder / "cgroup.procs").read_text().split())
        return sorted(pids)

    def kill(self, seconds: float = 5.0) -> int:
        """Kill every process in the group and wait until it is empty; returns how many are left."""
        if not self.made:
            return 0
        killer = self.folders.get("kill")
        deadline = time.monotonic() + seconds
        pause = 0.001
        while True:
            left = self.processes()
            if not left:
                return 0
            if killer is not None:
                with contextlib.suppress(OSError):
                    (killer / "cgroup.kill").write_text("1")
            for sig in (signal.SIGSTOP, signal.SIGKILL):  # a stopped process cannot fork
                for pid in left:
                    with contextlib.suppress(OSError):
                        os.kill(pid, sig)
            if time.monotonic() > deadline:
                return len(left)
            time.sleep(pause)
            pause = min(2 * pause, 0.01)

    def remove(self) -> int:
        """Kill what is left and remove the groups; returns how many processes could not be ended."""
        survivors = self.kill()
        for folder in reversed(self.made):
            for _ in range(100):  # a killed process leaves its group a moment after it is reaped
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as error:
                    if error.errno != errno.EBUSY:
                        break
                    time.sleep(0.01)
        self.made.clear()
        return survivors


def _machine_allows() -> bool:
    return os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() == 0 and ROOT.is_dir()


def _v2_mount() -> Path | None:
    """Where the v2 hierarchy is mounted: /sys/fs/cgroup (pure v2) or /sys/fs/cgroup/unified (hybrid)."""
    for mount in (ROOT, ROOT / "unified"):
        if (mount / "cgroup.controllers").exists():
            return mount
    return None


def _v1_hierarchies() -> set[str]:
    """The v1 controllers mounted on their own (``/proc/self/cgroup`` lines ``N:name,...:/path``)."""
    found: set[str] = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, names, _ = line.split(":", 2)
            if number != "0":
                found.update(names.split(","))
    return found


def _own_path(hierarchy: str) -> str:
    """This process's group in ``hierarchy`` ("" for v2), relative to the hierarchy's root."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, names, path = line.split(":", 2)
            if (hierarchy == "" and number == "0") or (hierarchy and hierarchy in names.split(",")):
                return path.lstrip("/")
    return ""


def _enable_controllers(base: Path) -> set[str]:
    """The controllers children of ``base`` get (v2), enabling those the machine offers where allowed.

    A group holding processes cannot pass controllers to its children (the
    "no internal processes" rule), except the root: then only what is already
    enabled there is used, and the rest is taken from v1 or listed as missing.
    """
    try:
        offered = set((base / "cgroup.controllers").read_text().split())
        enabled = set((base / "cgroup.subtree_control").read_text().split())
    except OSError:
        return set()
    for controller in CONTROLLERS:
        if controller in offered and controller not in enabled:
            with contextlib.suppress(OSError):
                (base / "cgroup.subtree_control").write_text(f"+{controller}")
                enabled.add(controller)
    return enabled & set(CONTROLLERS)


def _remove_strays(made: list[Path]) -> None:
    """Remove the groups a grader that was killed mid-grading left beside ours (its PID is gone)."""
    for folder in made:
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder.parent):
                owner = entry.name.split("-")
                if (
                    entry.is_dir(follow_symlinks=False)
                    and len(owner) == 3
                    and owner[0] == "autograder"
                    and owner[1].isdigit()
                    and not Path(f"/proc/{owner[1]}").exists()
                ):
                    GradingGroup(made=[Path(entry.path)]).remove()
