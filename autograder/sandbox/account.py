"""The unprivileged user student code runs as, and the end of every process it starts.

Grader side (the worker never imports this). As root, each grading claims its
own sandbox uid; ``end_worker_processes`` and ``kill_all_of_user`` make sure no
process of the submission outlives its grading; ``remove_leftovers_of_user``
deletes what it left in the machine's shared places (files, SysV IPC objects);
a uid whose clean-up did not finish is never handed to the next grading;
``close_to_others`` takes other users' access to the project. Nothing here
raises or blocks on what a submission made (deep trees, pipes held open).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from autograder.sandbox.policy import Sandbox

# Sandbox uids a grading may take, counting down from the base uid, so that
# gradings running side by side never share (or kill) each other's processes.
SANDBOX_UIDS = 100


class Killable(Protocol):
    """A worker as ``end_worker_processes`` needs it: a ``subprocess.Popen`` or a ``warm.ForkedWorker``."""

    pid: int

    def kill(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int: ...


# Names each worker's environment, so its processes can be found again.
TOKEN_VARIABLE = "AUTOGRADER_WORKER"


@contextlib.contextmanager
def claim_sandbox_account(sandbox: Sandbox):
    """Hold a sandbox uid that no other grading on this machine holds, for one grading.

    Process limits, the clean-up that kills every process of the uid, and the
    folders the uid may read are all per uid: two gradings sharing one would
    share a process budget, kill each other's workers and read each other's
    submissions. Locks are ``flock``s, released by the kernel if the grader dies.
    """
    if sandbox.uid is None:
        yield sandbox
        return
    import fcntl  # noqa: PLC0415 - POSIX only, like the uid itself

    folder = _lock_folder()
    if folder is None:
        yield sandbox
        return
    for uid in range(sandbox.uid, max(sandbox.uid - SANDBOX_UIDS, 0), -1):
        if uid != sandbox.uid and _is_an_account(uid):
            continue
        handle = open(folder / f"uid-{uid}.lock", "a+b")  # held until the grading ends
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        # Left over from a grader that was killed mid-way, or a clean-up that did
        # not finish: a uid with anything of an earlier submission left (a
        # process, a file, an IPC object) is never handed to the next one.
        shared_places = not sandbox.namespaces
        if not clean_up_user(uid, shared_places):
            handle.close()
            continue
        try:
            yield replace(sandbox, uid=uid, gid=uid)
        finally:
            clean_up_user(uid, shared_places)
            handle.close()
        return
    raise RuntimeError(f"all {SANDBOX_UIDS} sandbox uids below {sandbox.uid} are in use by other gradings")


def clean_up_user(uid: int, shared_places: bool = True) -> bool:
    """End every process of ``uid`` and delete what it left; True if nothing is left.

    ``shared_places=False`` leaves the machine's shared folders and IPC alone: a
    worker in namespaces cannot write them and never sees them, and a grading
    without namespaces cleans them for its uid before its worker starts.
    """
    survivors = kill_all_of_user(uid)
    return (not shared_places or remove_leftovers_of_user(uid)) and survivors == 0


def remove_leftovers_of_user(uid: int) -> bool:
    """Delete the files and SysV IPC objects ``uid`` left in the machine's shared places.

    Without a mount namespace a submission can write wherever every user may:
    the temporary folders, ``/run/lock``, ``/dev/mqueue`` and any folder in
    them that is writable by all. Returns True if nothing of ``uid`` is left.
    """
    clean = remove_ipc_of_user(uid)
    clean = remove_posix_queues_of_user(uid) is not False and clean
    for base in dict.fromkeys((*SHARED_FOLDERS, tempfile.gettempdir())):
        clean = _remove_owned_below(Path(base), uid) and clean
    return clean


# Folders every user may write to, on a usual Linux or macOS.
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue", "/var/crash")
# How deep shared folders open to all are searched (e.g. /tmp/.X11-unix), and how many entries.
_SHARED_DEPTH = 3
_SHARED_ENTRIES = 20000


def _remove_owned_below(base: Path, uid: int) -> bool:
    """Remove what ``uid`` owns in ``base`` and in the world-writable folders below it."""
    clean, seen = True, 0
    stack = [(str(base), 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > _SHARED_ENTRIES:
                return False
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid == uid:
                clean = remove_tree(entry.path) and clean
            elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH and depth < _SHARED_DEPTH:
                stack.append((entry.path, depth + 1))
    return clean


def remove_tree(path, seconds: float = 30.0) -> bool:
    """Delete a file or folder tree of any depth; never raises. True if it is gone.

    Walks down by file descriptor and back up through ``..`` (student code made
    the tree and may have nested it thousands of levels deep, past both the
    recursion limit and PATH_MAX); only ever called once its processes ended.
    """
    path = os.fspath(path)
    if os.name != "posix":  # no descriptors for folders: the standard walk, its errors caught
        import shutil  # noqa: PLC0415

        with contextlib.suppress(OSError, RecursionError):
            shutil.rmtree(path)
        return not os.path.lexists(path)
    try:
        fd = os.open(path, _FOLDER | _NOFOLLOW)
    except FileNotFoundError:
        return True
    except OSError:
        with contextlib.suppress(FileNotFoundError, OSError):
            os.unlink(path)
        return not os.path.lexists(path)
    fd = _empty_folder(fd, time.monotonic() + seconds)  # it owns fd from here
    if fd < 0:
        return False
    try:
        os.close(fd)
        os.rmdir(path)
    except OSError:
        return False
    return True


_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _empty_folder(fd: int, deadline: float) -> int:
    """Empty the folder ``fd`` one level at a time and return its descriptor; on any
    failure or past the deadline, close what is open and return -1."""
    names: list[str] = []  # the folders between the top and ``fd``
    try:
        while time.monotonic() < deadline:
            sub = _empty_but_folders(fd)
            if sub is not None:
                try:
                    child = os.open(sub, _FOLDER | _NOFOLLOW, dir_fd=fd)
                except PermissionError:
                    _unblock(sub, fd)
                    child = os.open(sub, _FOLDER | _NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = child
                names.append(sub)
            elif names:
                parent = os.open("..", _FOLDER, dir_fd=fd)
                os.close(fd)
                fd = parent
                os.rmdir(names.pop(), dir_fd=fd)
            else:
                return fd
    except (OSError, ValueError, RecursionError, MemoryError):
        pass
    with contextlib.suppress(OSError):
        os.close(fd)
    return -1


def _empty_but_folders(fd: int) -> str | None:
    """Unlink every non-folder in the folder ``fd``; return one subfolder's name, or None."""
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                return entry.name
            try:
                os.unlink(entry.name, dir_fd=fd)
            except PermissionError:
                _unblock(".", fd)
                os.unlink(entry.name, dir_fd=fd)
    return None


def _unblock(name: str, fd: int) -> None:
    """Give the owner back the rights on a folder its student took away (chmod 0), where we may."""
    with contextlib.suppress(OSError, NotImplementedError):
        os.chmod(name, 0o700, dir_fd=fd)


def remove_ipc_of_user(uid: int) -> bool:
    """Remove the SysV shared memory, message queues and semaphores ``uid`` owns or made (Linux).

    They outlive every process; outside an IPC namespace the next submission
    graded under the same uid could read them. True if none is left.
    """
    found = _ipc_of_user(uid)
    if not found:
        return True
    try:
        subprocess.run(
            ["ipcrm", *(arg for flag, ident in found for arg in (flag, ident))],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return not _ipc_of_user(uid)


def _ipc_of_user(uid: int) -> list[tuple[str, str]]:
    """``(ipcrm flag, id)`` of every SysV IPC object owned or created by ``uid``."""
    found = []
    for kind, flag in (("shm", "-m"), ("msg", "-q"), ("sem", "-s")):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                header = table.readline().split()
                rows = [line.split() for line in table]
        except OSError:
            continue
        owners = [header.index(name) for name in ("uid", "cuid") if name in header]
        found += [(flag, row[1]) for row in rows if any(row[i] == str(uid) for i in owners if i < len(row))]
    return found


def remove_posix_queues_of_user(uid: int) -> bool | None:
    """Remove the POSIX message queues ``uid`` owns (Linux); True if none is left, None where they cannot be seen.

    They live in the kernel, not in a folder: ``/dev/mqueue`` only shows them
    where someone mounted it, and many containers do not. So the grader mounts
    the IPC namespace's queue file system itself, in a folder only root can
    enter, for as long as the removal takes.
    """
    with _queue_folder() as folder:
        if folder is None:
            return None
        return _remove_owned_below(folder, uid)


def posix_queues_of_user(uid: int) -> list[str] | None:
    """Names of the POSIX message queues ``uid`` owns; None where they cannot be seen."""
    with _queue_folder() as folder:
        if folder is None:
            return None
        return sorted(entry.name for entry in os.scandir(folder) if entry.stat().st_uid == uid)


@contextlib.contextmanager
def _queue_folder():
    """A folder showing this IPC namespace's POSIX message queues: a mount of the mqueue file system."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) > 2 and fields[2] == "mqueue":
                yield Path(fields[1].replace("\\040", " "))
                return
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        yield None
        return
    import ctypes  # noqa: PLC0415 - Linux only

    libc = ctypes.CDLL(None, use_errno=True)
    folder = tempfile.mkdtemp(prefix="autograder-mqueue-")  # 0700: no one else looks in
    try:
        flags = 2 | 4 | 8  # MS_NOSUID | MS_NODEV | MS_NOEXEC
        if libc.mount(b"mqueue", folder.encode(), b"mqueue", flags, None) != 0:
            yield None
            return
        try:
            yield Path(folder)
        finally:
            libc.umount2(folder.encode(), 2)  # MNT_DETACH
    finally:
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _lock_folder() -> Path | None:
    """A folder only this user can write, shared by every grading on the machine."""
    for base in ("/run", tempfile.gettempdir()):
        folder = Path(base) / f"autograder-sandbox-uids-{os.geteuid()}"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            info = os.lstat(folder)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022:
            return folder
    return None


def _is_an_account(uid: int) -> bool:
    try:
        import pwd  # noqa: PLC0415 - POSIX only

        pwd.getpwuid(uid)
    except (ImportError, KeyError):
        return False
    return True


def close_to_others(root: Path, keep=()) -> None:
    """Take other users' access to ``root`` and everything in it, except the ``keep`` folders.

    Only the "other" permission bits change. ``root`` stays passable (not
    listable) when a kept folder, such as a virtualenv, lies inside it.
    """
    root = Path(root).resolve()
    keep = [Path(k).resolve() for k in keep]
    inside = [k for k in keep if root in k.parents]
    mode = stat.S_IMODE(os.lstat(root).st_mode)
    os.chmod(root, (mode & ~0o007) | (0o001 if inside else 0))
    for entry in os.scandir(root):
        path = Path(entry.path)
        if entry.is_symlink() or any(path == k or path in k.parents for k in inside):
            continue
        os.chmod(path, stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode) & ~0o007)


def end_worker_processes(proc: Killable, sandbox: Sandbox, token: str) -> int:
    """Kill the worker, its process group, and (POSIX) every process that carries its mark.

    A process is the worker's if it belongs to the sandbox user (when there is
    one) or its environment holds the worker's token, which every child
    inherits unless it replaces its whole environment. Returns the survivors.
    """
    if os.name != "posix":
        proc.kill()
        proc.wait()
        return 0
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    marked = f"{TOKEN_VARIABLE}={token}".encode()
    return kill_until_gone(
        lambda: _live_processes(
            lambda pid, uid: uid == sandbox.uid or (uid == os.geteuid() and _environment_holds(pid, marked))
        )
    )


def kill_all_of_user(uid: int) -> int:
    """Kill every process of the sandbox user, including those that left the group.

    With /proc (Linux) each process is found and killed, and the survivors are
    counted. Without it (macOS) a short-lived process of that user sends
    ``kill(-1)``, which reaches every process the user owns.
    """
    if not os.path.isdir("/proc"):
        signal_every_process_of(uid)
        return 0
    return kill_until_gone(lambda: processes_of_user(uid))


def signal_every_process_of(uid: int) -> None:
    """As ``uid``, stop then kill every process ``uid`` owns (POSIX ``kill(-1)``; run as root)."""
    for sig in ("STOP", "KILL", "KILL"):
        try:
            subprocess.run(
                ["kill", f"-{sig}", "-1"],
                user=uid,
                group=uid,
                extra_groups=[],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=10,
            )
        except (OSError, subprocess.SubprocessError):
            return


def kill_until_gone(find) -> int:
    """Kill what ``find()`` lists until it lists nothing; returns how many are left.

    Stopped processes cannot fork, so a fork storm is frozen first, then killed.
    """
    pids = find()
    pause = 0.001  # a killed process is usually gone within a millisecond; a fork storm takes longer
    for _ in range(50):
        if not pids:
            return 0
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        time.sleep(pause)
        pause = min(2 * pause, 0.01)
        pids = find()
    return len(pids)


def processes_of_user(uid: int) -> list[int]:
    """Live PIDs that run as ``uid`` by any of their real, effective, saved or file-system uids
    (Linux /proc; empty where there is no /proc): a setuid program started by the
    sandbox user keeps it as its real uid."""
    return _live_processes(lambda pid, owner: owner == uid or uid in (uids_of(pid) or ()))


def _live_processes(select) -> list[int]:
    """Live PIDs for which ``select(pid, owner_uid)`` holds (Linux /proc; else none)."""
    pids: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return pids
    for entry in entries:
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if not select(int(entry), os.stat(f"/proc/{entry}").st_uid):
                    continue
                with open(f"/proc/{entry}/stat", "rb") as status:
                    state = status.read().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state not in (b"Z", b"X"):  # zombies are already dead
                pids.append(int(entry))
    return pids


def _environment_holds(pid: int, marked: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return marked in environ.read().split(b"\0")
    except OSError:
        return False


def uids_of(pid: int) -> list[int] | None:
    """Real, effective, saved and filesystem uid of ``pid`` (Linux); None where unknown."""
    return status_numbers(pid, b"Uid:")


def status_numbers(pid: int, field: bytes) -> list[int] | None:
    """The numbers on the ``field`` line of ``/proc/<pid>/status`` (Linux); None where unknown."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(field):
                    return [int(n) for n in line.split()[1:]]
    except (OSError, ValueError):
        return None
    return None


def hide_command_line(after: str, extra: int = 1) -> bool:
    """Blank this process's command line past the word ``after`` and ``extra`` more, as ``/proc/PID/cmdline``
    shows it (Linux); without that word, past the program's name.

    Without a PID namespace student code can read every command line on the
    machine: grade-all's names the class folder, and with it every classmate's
    submission. The words are overwritten in this process's own memory (Python
    keeps its own copy in ``sys.argv``). True if they are hidden.
    """
    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end: fields 48 and 49 of proc(5)
        with open("/proc/self/mem", "r+b", buffering=0) as memory:
            memory.seek(start)
            words = memory.read(end - start).split(b"\0")
            keep = words.index(after.encode()) + 1 + extra if after.encode() in words else 1
            kept = b"\0".join(words[:keep]) + b"\0"
            memory.seek(start)
            memory.write(kept.ljust(end - start, b"\0"))
    except (OSError, ValueError, IndexError):
        return False
    return True
