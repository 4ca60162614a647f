"""Kernel isolation of the worker through bubblewrap (``bwrap``), where the machine allows it.

Grader side. As root on Linux the worker starts inside new PID, IPC, mount,
network and UTS namespaces, in a root made of read-only binds of only what it
needs: the system's ``/usr`` (the dynamic loader, ``sleep`` and the like),
the interpreter's own installation, the site-packages entries of NumPy (and
Matplotlib when used) at ``/sandbox/site``, the worker's three files at
``/sandbox/worker``, and the copy of the submission (read-only) in the one
writable folder, ``/sandbox/work``, a tmpfs of its own. ``/tmp``, ``/var/tmp``, ``/dev/shm`` and ``/run`` are
fresh, empty and gone with the grading; ``/proc`` shows only the worker's own
processes, so neither the grader's command line nor any other submission is
in view. When the namespace's first process ends, the kernel kills every
process left in it, whatever its user or session.

bubblewrap is used rather than ``unshare``: one command builds the whole root
from binds and tmpfs mounts (``unshare`` would need a mount script written and
kept here), reaps as PID 1, dies with the grader (``--die-with-parent``),
drops capabilities and sets no_new_privs. Whether it works is probed once per
process (many containers forbid namespaces); where it does not, the grader
falls back to the uid drop and rlimits and says so in the results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

INSIDE_WORK = "/sandbox/work"
INSIDE_WORKER = "/sandbox/worker"
INSIDE_SITE = "/sandbox/site"
# Room for what student code writes in its working folder, and in each of /tmp, /var/tmp,
# /dev/shm and /run: tmpfs, memory that no resource limit of the worker counts.
WORK_MB = 64
FRESH_MB = 32
# Files each may hold; a worker forked from the warm template only (bwrap sets no such limit).
FRESH_INODES = 16384


def tmpfs_sizes() -> dict:
    """The sizes above, for the warm template, which mounts a forked worker's folders itself."""
    return {"work_mb": WORK_MB, "fresh_mb": FRESH_MB, "inodes": FRESH_INODES}


# The namespaces bwrap is asked for, as results.json names them.
NAMESPACES = ("pid", "ipc", "mnt", "net", "uts")
FLAGS = ["--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
# Read by the dynamic loader and by programs a submission may start.
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "nsswitch.conf")
_PROBED: dict[str, bool] = {}


def bwrap() -> str | None:
    return shutil.which("bwrap", path=os.environ.get("PATH", os.defpath) + os.pathsep + "/usr/bin:/bin")


def available() -> bool:
    """Whether bwrap can make the namespaces here: as root on Linux, probed once per process.

    ``AUTOGRADER_NAMESPACES=0`` turns them off (to grade as a machine without them would).
    """
    if os.environ.get("AUTOGRADER_NAMESPACES", "1") == "0":
        return False
    if "ok" not in _PROBED:
        _PROBED["ok"] = _probe()
    return _PROBED["ok"]


def _probe() -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or bwrap() is None:
        return False
    try:
        done = subprocess.run(
            [*command_prefix(), "--", "/bin/true"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def command_prefix(
    *,
    interpreter_prefix: str | None = None,
    site: dict[str, str] | None = None,
    binds=(),
    submission: str | None = None,
    template: bool = False,
) -> list[str]:
    """The bwrap arguments that build the worker's root; the command follows ``--``.

    ``template``: the root of the warm template (``sandbox/fork_server.py``), which
    keeps the capability to make each worker's namespaces and folders, and the
    empty mount point of the working folder.
    """
    args = [
        bwrap() or "bwrap",
        *FLAGS,
        "--die-with-parent",
        "--cap-drop",
        "ALL",
        # Only to become the sandbox user: the worker sets its limits as root, then drops.
        "--cap-add",
        "CAP_SETUID",
        "--cap-add",
        "CAP_SETGID",
        *(["--cap-add", "CAP_SYS_ADMIN"] if template else []),
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    made: set[str] = set()
    for name in ETC:
        args += [*_parents(f"/etc/{name}", made), "--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    fresh = ["--size", str(FRESH_MB << 20), "--tmpfs"]
    for folder in ("/dev/shm", "/tmp", "/var/tmp"):
        args += [*_parents(folder, made), "--perms", "1777", *fresh, folder]
    args += [*fresh, "/run", "--perms", "1777", "--dir", "/run/lock"]
    if interpreter_prefix:
        if not interpreter_prefix.startswith("/usr/"):
            args += [*_parents(interpreter_prefix, made), "--ro-bind", interpreter_prefix, interpreter_prefix]
        # The interpreter's own site-packages are not the student's to import.
        for site_packages in Path(interpreter_prefix).glob("lib/python3*/site-packages"):
            args += ["--tmpfs", str(site_packages)]
    targets = [(path, f"{INSIDE_SITE}/{name}") for name, path in (site or {}).items()] + list(binds)
    for source, target in targets:
        args += [*_parents(target, made), "--ro-bind", str(source), target]
    if template:
        args += [*_parents(INSIDE_WORK, made), "--perms", "0755", "--dir", INSIDE_WORK]
    if submission:
        # The working folder is a tmpfs of its own: whatever student code makes there
        # (a tree 3000 folders deep) ends with the namespace, at no cost to remove.
        args += [*_parents(INSIDE_WORK, made), "--perms", "1777", "--size", str(WORK_MB << 20), "--tmpfs", INSIDE_WORK]
        args += ["--ro-bind", submission, f"{INSIDE_WORK}/{Path(submission).name}"]
    return [*args, "--chdir", "/"]


def _parents(path: str, made: set[str]) -> list[str]:
    """Create the folders on the way to ``path`` enterable by all (bwrap would make them 0700)."""
    args = []
    for parent in reversed(Path(path).parents):
        folder = str(parent)
        if folder in made or folder in ("/", "/usr") or folder.startswith("/usr/"):
            continue
        made.add(folder)
        args += ["--perms", "0755", "--dir", folder]
    return args


def args_pipe(args: list[str]) -> int:
    """A pipe holding ``args`` for ``bwrap --args FD``: the namespace's PID 1 shows no host path."""
    data = b"".join(a.encode() + b"\0" for a in args)
    read, write = os.pipe()
    try:
        if len(data) > 60000:
            raise OSError("bwrap arguments too long for a pipe")
        os.write(write, data)
    finally:
        os.close(write)
    return read
