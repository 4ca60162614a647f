"""Starting a worker, and ending it: the grader's side of a worker's life before and after its calls.

``launch`` makes a fresh folder holding only a copy of the submission (owned by
the sandbox user, as root), then starts ``sandbox/worker.py`` in it with a
scrubbed environment and an import path without the project: forked from the
warm template where there is one (``sandbox/warm.py``), else as a new process,
inside kernel namespaces where the policy has them (``sandbox/namespaces.py``).
``Launched.end`` ends every process the submission started and removes the
folder. Talking to the worker in between is ``sandbox/channel.py``'s.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any, Protocol

from autograder.sandbox import libraries, namespaces, warm
from autograder.sandbox.account import TOKEN_VARIABLE, end_worker_processes, remove_tree
from autograder.sandbox.cgroups import GradingGroup
from autograder.sandbox.limits import Limits
from autograder.sandbox.policy import Sandbox

WORKER = Path(__file__).parent / "worker.py"
# What the worker runs from: itself, the message format, its seccomp filter and the warm template.
WORKER_FILES = (WORKER, *(Path(__file__).parent / name for name in ("wire.py", "seccomp.py", "fork_server.py")))


class WorkerHandle(Protocol):
    """What the grader holds of a started worker: a ``subprocess.Popen`` or a ``warm.ForkedWorker``."""

    pid: int
    stdin: IO[bytes] | None
    stdout: IO[bytes] | None
    stderr: IO[bytes] | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


class Launched:
    """A started worker: its process, the template it was forked from (if any), its folder and its mark."""

    def __init__(
        self,
        handle: WorkerHandle,
        template: warm.WarmTemplate | None,
        workdir: Path,
        policy: Sandbox,
        group: GradingGroup | None,
        token: str,
    ):
        self.handle = handle
        self.template = template
        self.workdir = workdir
        self.policy = policy
        self.group = group
        self.token = token

    @property
    def exit_code_offset_by_pid1(self) -> bool:
        """Whether the exit code is bwrap's (the namespace's PID 1 ends with 128 + the worker's signal)."""
        return self.policy.namespaces and self.template is None

    def end(self) -> int:
        """End the worker and everything it started; remove its folder.

        Returns how many of its processes could not be ended (0 when all are gone).
        """
        # Everything the submission started is in its cgroup, whatever its uid, session or parent.
        survivors = self.group.kill() if self.group is not None else 0
        survivors += end_worker_processes(self.handle, self.policy, self.token)
        if self.template is not None:
            survivors += self.template.end_orphans()
        for stream in (self.handle.stdin, self.handle.stdout, self.handle.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        remove_folder(self.workdir, self.policy)
        return survivors


def launch(
    path: Path, module: str, limits: Limits, policy: Sandbox, group: GradingGroup | None, shared_fd: int | None
) -> Launched:
    """Start a worker for the file ``path`` (imported as ``module``); it joins ``group`` before anything else.

    ``shared_fd``: the memory the arguments are placed in, passed on to the worker.
    """
    workdir = Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        return _Launch(path, module, limits, policy, group, shared_fd, workdir).start()
    except BaseException:
        remove_folder(workdir, policy)
        raise


def remove_folder(workdir: Path, policy: Sandbox) -> None:
    """Out of reach of the next submission under this uid first, however long removal takes."""
    with contextlib.suppress(OSError):
        if policy.uid is not None:
            os.chown(workdir, 0, 0)
        os.chmod(workdir, 0o700)
    remove_tree(workdir)


class _Launch:
    """One start of a worker: what it is told, how it is started."""

    def __init__(
        self,
        path: Path,
        module: str,
        limits: Limits,
        policy: Sandbox,
        group: GradingGroup | None,
        shared_fd: int | None,
        workdir: Path,
    ):
        self.limits = limits
        self.policy = policy
        self.group = group
        self.shared_fd = shared_fd
        self.workdir = workdir
        self.submission = workdir / f"{module}.py"
        shutil.copyfile(path, self.submission)
        self.module = module
        self.token = secrets.token_hex(12)
        self.handle: WorkerHandle | None = None
        self.template: warm.WarmTemplate | None = None

    def start(self) -> Launched:
        drop = None
        if self.policy.uid is not None and self.policy.gid is not None:
            drop = {"uid": self.policy.uid, "gid": self.policy.gid}
            for path in (self.workdir, self.submission):
                os.chown(path, self.policy.uid, self.policy.gid)
            os.chmod(self.workdir, 0o700)
        plotting = _mentions_matplotlib(self.submission)
        joining = self.group.open_for_joining() if self.group is not None else []
        try:
            self._launch(drop, plotting, joining)
        finally:
            for fd in joining:
                os.close(fd)
        if self.handle is None:
            raise RuntimeError("the worker was not started")  # _launch sets it or raises: never seen
        return Launched(self.handle, self.template, self.workdir, self.policy, self.group, self.token)

    def _launch(self, drop: dict[str, int] | None, plotting: bool, joining: list[int]) -> None:
        """Fork the worker from the warm template where there is one, else start it cold.

        ``joining``: descriptors of the grading's cgroups, which the worker joins before anything else.
        """
        # Warm where this process has a template (Matplotlib's binds are the cold worker's only).
        template = None if plotting else warm_template(self.policy)
        if template is not None:
            paths = _template_paths(self.policy, self.workdir)
            try:
                config = self._config(paths, drop, plotting)
                self.handle = self._fork(template, config, self._environment(paths), joining)
                self.template = template
            except warm.TemplateUnavailable:
                drop_template(template)
                template = None
        if template is None:
            if self.policy.namespaces:
                command, paths, fds = _in_namespaces(self.submission, plotting)
            else:
                command, paths, fds = _as_a_process(self.policy, self.workdir, plotting)
            config = {**self._config(paths, drop, plotting), "cgroup_fds": joining}
            try:
                self.handle = subprocess.Popen(
                    [*command, json.dumps(config)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    cwd=self.workdir,
                    env=self._environment(paths),
                    start_new_session=(os.name == "posix"),
                    pass_fds=(*fds, *joining, *((self.shared_fd,) if self.shared_fd is not None else ())),
                )
            finally:
                for fd in fds:
                    os.close(fd)

    def _config(self, paths: dict[str, Any], drop: dict[str, int] | None, plotting: bool) -> dict[str, Any]:
        """What the worker is told: where things are, whom to become, its limits."""
        return {
            **paths,
            "submission": f"{paths['workdir']}/{self.submission.name}",
            "module": self.module,
            "drop": drop,
            "unreadable": [] if self.policy.namespaces else list(self.policy.unreadable),
            "limits": {
                "memory_mb": self.limits.memory_mb,
                "cpu_seconds": self.limits.cpu_seconds,
                "file_mb": self.limits.file_mb,
                "processes": self.limits.processes,
            }
            if self.policy.rlimits
            else None,
            "available": [*libraries.ALWAYS, *(libraries.PLOTTING if plotting else ())],
            "shared_fd": self.shared_fd,
            "seccomp": os.environ.get("AUTOGRADER_SECCOMP", "1") != "0",
        }

    def _environment(self, paths: dict[str, Any]) -> dict[str, str]:
        return _scrubbed_environment(paths["workdir"], self.token)

    def _fork(
        self, template: warm.WarmTemplate, config: dict[str, Any], environment: dict[str, str], joining: list[int]
    ) -> warm.ForkedWorker:
        """A fresh worker forked from the warm template, with pipes of its own (see ``sandbox/warm.py``)."""
        theirs: list[int] = []
        ours: list[int] = []
        try:
            for _ in range(3):
                read, write = os.pipe()
                theirs.append(read if not ours else write)
                ours.append(write if not ours else read)
            fds = {"requests": theirs[0], "replies": theirs[1], "printed": theirs[2]}
            if self.policy.namespaces:  # the worker writes it into a working folder of its own
                theirs.append(os.open(self.submission, os.O_RDONLY | os.O_NOFOLLOW))
                fds["submission"] = theirs[-1]
            if self.shared_fd is not None:
                fds["shared"] = self.shared_fd
            fds.update({f"cgroup{n}": fd for n, fd in enumerate(joining)})
            tmpfs = namespaces.tmpfs_sizes() if self.policy.namespaces else None
            worker = template.spawn(config, environment, fds, isolate=tmpfs)
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        worker.stdin = open(ours[0], "wb", buffering=0)  # closed in Launched.end(), like a Popen's
        worker.stdout = open(ours[1], "rb", buffering=0)
        worker.stderr = open(ours[2], "rb", buffering=0)
        return worker


def _scrubbed_environment(workdir: Path | str, token: str) -> dict[str, str]:
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
) -> tuple[list[str], dict[str, Any], tuple[int, ...]]:
    """The bwrap command that runs the worker (or the template) in namespaces, and the paths it sees there."""
    prefix = str(Path(sys.base_prefix).resolve())
    python = str(Path(sys.executable).resolve())
    binds = [(str(f), f"{namespaces.INSIDE_WORKER}/{f.name}") for f in WORKER_FILES]
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


def _as_a_process(sandbox: Sandbox, workdir: Path, plotting: bool) -> tuple[list[str], dict[str, Any], tuple[int, ...]]:
    """The plain command, with the libraries where the sandbox user can read them."""
    entries: dict[str, str] = _site(plotting)
    moved: list[list[str]] = []
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


def _template_paths(sandbox: Sandbox, workdir: Path) -> dict[str, Any]:
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
def _mirror(plotting: bool) -> tuple[list[list[str]], dict[str, str]] | None:
    return libraries.readable_mirror(libraries.stdlib_folders(), _site(plotting))


def _mentions_matplotlib(path: Path) -> bool:
    try:
        return b"matplotlib" in path.read_bytes()
    except OSError:
        return False
