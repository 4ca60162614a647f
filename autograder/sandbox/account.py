"""The unprivileged user student code runs as, and the end of every process it starts.

Grader side (the worker never imports this). As root, each grading claims its
own sandbox uid; ``end_worker_processes`` and ``kill_all_of_user`` make sure no
process of the submission outlives its grading; ``close_to_others`` takes other
users' access to the project.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

# Sandbox uids a grading may take, counting down from the base uid, so that
# gradings running side by side never share (or kill) each other's processes.
SANDBOX_UIDS = 100


# Names each worker's environment, so its processes can be found again.
TOKEN_VARIABLE = "AUTOGRADER_WORKER"


@dataclass(frozen=True)
class Sandbox:
    """Who student code runs as, and what it must not be able to read."""

    uid: int | None = None
    gid: int | None = None
    unreadable: tuple[str, ...] = ()
    rlimits: bool = True  # cap memory, CPU, file size and processes with setrlimit

    @classmethod
    def for_this_machine(cls, unreadable=()):
        """Drop to a dedicated user when running as root on POSIX; else run as ourselves."""
        unreadable = tuple(str(p) for p in unreadable)
        try:
            import resource  # noqa: F401, PLC0415 - absent on Windows
        except ImportError:
            rlimits = False
        else:
            rlimits = True
        if os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() == 0:
            uid = int(os.environ.get("AUTOGRADER_SANDBOX_UID", "64999"))
            return cls(uid=uid, gid=uid, unreadable=unreadable, rlimits=rlimits)
        return cls(unreadable=unreadable, rlimits=rlimits)


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
        try:
            kill_all_of_user(uid)  # left over from a grader that was killed mid-way
            remove_files_of_user(uid)
            yield replace(sandbox, uid=uid, gid=uid)
        finally:
            kill_all_of_user(uid)
            # Files the submission left in shared temporary folders would reach
            # the next submission graded under the same uid.
            remove_files_of_user(uid)
            handle.close()
        return
    raise RuntimeError(f"all {SANDBOX_UIDS} sandbox uids below {sandbox.uid} are in use by other gradings")


def remove_files_of_user(uid: int) -> None:
    """Delete what ``uid`` owns at the top of the world-writable temporary folders."""
    for base in dict.fromkeys(("/tmp", "/var/tmp", "/dev/shm", tempfile.gettempdir())):
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            except (OSError, RecursionError):
                # A folder nested deeper than rmtree's recursion (a hostile submission's) stays;
                # clean-up must never fail a grading.
                pass


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


def end_worker_processes(proc: subprocess.Popen, sandbox: Sandbox, token: str) -> int:
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
    return _kill_until_gone(
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
    return _kill_until_gone(lambda: processes_of_user(uid))


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


def _kill_until_gone(find) -> int:
    """Kill what ``find()`` lists until it lists nothing; returns how many are left.

    Stopped processes cannot fork, so a fork storm is frozen first, then killed.
    """
    pids = find()
    for _ in range(50):
        if not pids:
            return 0
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        time.sleep(0.01)
        pids = find()
    return len(pids)


def processes_of_user(uid: int) -> list[int]:
    """Live PIDs owned by ``uid`` (Linux /proc; empty where there is no /proc)."""
    return _live_processes(lambda pid, owner: owner == uid)


def _live_processes(select) -> list[int]:
    """Live PIDs for which ``select(pid, owner_uid)`` holds (Linux /proc; else none)."""
    pids = []
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
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"Uid:"):
                    return [int(n) for n in line.split()[1:]]
    except (OSError, ValueError):
        return None
    return None
