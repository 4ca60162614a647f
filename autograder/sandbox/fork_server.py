"""The warm template: a process that has imported NumPy and forks one fresh worker per request.

Started by ``sandbox/warm.py`` like a worker (``worker.py`` with ``"template":
true``, inside bubblewrap where namespaces work) and never runs student code
itself. It waits on a Unix socket; for each request it forks a child that takes
the request's pipes as its stdin, stdout and stderr, gets a session and an
environment of its own, and then, where the template sits in namespaces,
makes new ones of its own before anything else:

- new mount, IPC, network, UTS and PID namespaces (``unshare``);
- fresh, empty tmpfs mounts on ``/tmp``, ``/var/tmp``, ``/dev/shm``, ``/run``
  and the working folder, with the submission written in as a read-only file;
- two more forks: PID 1 of the new PID namespace (a reaper with a ``/proc``
  of its own) and the worker below it. When the worker ends, PID 1 ends, and
  the kernel ends every process left in the namespace.

The first child waits in the template's namespace and ends as the worker
ended (the exit code or the signal), so the template can report it. Then the worker arms itself
exactly as a cold one does (``worker.run``: limits, no_new_privs, the drop to
the sandbox user) and imports the submission.

Nothing of one worker reaches the next: each has its own namespaces, folders
and uid, is forked from the template (which holds no student data: the
submission crosses as a file descriptor read only by the child), and ends
with everything it started. ``docs/architecture.md`` gives the whole argument.
"""

import ctypes
import json
import os
import select
import signal
import socket
import sys
import traceback

# From <sched.h> and <sys/mount.h> (Linux).
CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 0x4000, 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# Folders that are fresh and empty in every worker; the working folder is the request's.
FRESH = ("/tmp", "/var/tmp", "/dev/shm", "/run")
# A request is one JSON message with at most this many descriptors.
MESSAGE_BYTES = 1 << 16
MAX_FDS = 16  # the pipes, the submission, the shared memory and a cgroup per hierarchy


def serve(config, run):
    """Fork a worker for each request on the control socket until the grader closes it.

    The template is its workers' subreaper: a process a worker left behind
    (daemonized, its parent gone) becomes the template's child, where the grader
    finds and ends it, even one that carries no trace of its worker.
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    control = socket.socket(fileno=config["control_fd"])
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children = {}  # pid -> the request's number
    while True:
        readable, _, _ = select.select([control, wake_read], [], [])
        if wake_read in readable:
            while _read_some(wake_read):
                pass
        _report_ended(control, children)
        if control not in readable:
            continue
        try:
            message, fds, _, _ = socket.recv_fds(control, MESSAGE_BYTES, MAX_FDS)
        except OSError:
            return
        if not message:
            return  # the grader is gone: so are its workers (PR_SET_PDEATHSIG)
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            _child(request, fds, closing=(control.fileno(), wake_read, wake_write), run=run)
        for fd in fds:
            os.close(fd)
        children[pid] = request["spawn"]
        control.send(json.dumps({"spawned": request["spawn"], "pid": pid}).encode())


def _report_ended(control, children):
    """Reap every ended child (workers, and orphans left to the template); report the workers."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        number = children.pop(pid, None)
        if number is not None:
            control.send(json.dumps({"ended": number, "status": status}).encode())


def _read_some(fd):
    try:
        return os.read(fd, 512)
    except BlockingIOError:
        return b""


def _child(request, fds, closing, run):
    """The new worker: never returns."""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in closing:
            os.close(fd)
        named = dict(zip(request["descriptors"], fds, strict=True))
        for name, target in (("requests", 0), ("replies", 1), ("printed", 2)):
            os.dup2(named[name], target)
            os.close(named[name])
        os.setsid()
        _die_with_parent()
        os.environ.clear()
        os.environ.update(request["environment"])
        joining = [fd for name, fd in named.items() if name.startswith("cgroup")]
        config = dict(request["config"], shared_fd=named.get("shared"), cgroup_fds=joining)
        if request.get("isolate"):
            _isolate(config["workdir"], request["isolate"])
        if "submission" in named:  # in namespaces: the working folder is new and empty
            _write_submission(named["submission"], config["submission"])
        run(config)
        code = 0
    except BaseException:  # noqa: BLE001 - whatever went wrong, the worker ends here
        traceback.print_exc(file=sys.stderr)
        code = 70
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _isolate(workdir, sizes):
    """New namespaces with fresh folders; returns in the worker (PID 1 of its namespace)."""
    libc = ctypes.CDLL(None, use_errno=True)
    _checked(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID), "unshare")
    _checked(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    for folder in (*FRESH, workdir):
        # A tmpfs is memory no resource limit of the worker counts: each is capped, in bytes and in
        # files, at the sizes the grader sends (namespaces.tmpfs_sizes).
        size = sizes["work_mb"] if folder == workdir else sizes["fresh_mb"]
        options = f"mode=1777,size={int(size)}m,nr_inodes={int(sizes['inodes'])}".encode()
        _checked(
            libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options),
            f"mount tmpfs {folder}",
        )
    os.mkdir("/run/lock")
    os.chmod("/run/lock", 0o1777)
    init = os.fork()
    if init:
        _end_as(init, signalled=True)  # in the template's namespace: ends as the worker ended
    # PID 1 of the new namespace: its own /proc, and a reaper, as bubblewrap's is. The
    # worker is its child, not PID 1 itself, so that signals it sends itself work.
    _die_with_parent()
    _checked(libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None), "mount proc")
    worker = os.fork()
    if worker:
        _end_as(worker, signalled=False)
    _die_with_parent()


def _end_as(worker, signalled):
    """Reap until ``worker`` ends, then end the same way, so that the template learns how it ended.

    PID 1 of a namespace cannot send itself a signal, so it exits with 128 + the
    signal's number; the process outside turns that back into the signal.
    """
    # The pipes and the shared memory are the worker's alone: the grader sees
    # the pipes' end when the worker ends.
    os.closerange(0, os.sysconf("SC_OPEN_MAX") if "SC_OPEN_MAX" in os.sysconf_names else 1024)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)  # orphans of the namespace are reaped here too
        except ChildProcessError:
            os._exit(70)
        except InterruptedError:
            continue
        if pid == worker:
            break
    code = os.waitstatus_to_exitcode(status)
    number = -code if code < 0 else code - 128 if signalled and code > 128 else 0
    if number and signalled:
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
        os.kill(os.getpid(), number)
    os._exit(128 + number if number else code)


def _write_submission(fd, path):
    """The submission, read from the descriptor the grader sent, as a read-only file of root's."""
    with os.fdopen(fd, "rb") as source:
        data = source.read()
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o444)
    with os.fdopen(target, "wb") as copy:
        copy.write(data)


def _die_with_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _checked(result, what):
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")
