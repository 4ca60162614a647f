"""Where student code runs, seen from the checks: a proxy to the isolated worker, and its time budgets.

The grader never imports the submission. ``IsolatedSubmission`` has a worker
started for it (``sandbox/channel.py``: its own process, a fresh folder, a
scrubbed environment and, as root, an unprivileged user) and keeps the time
budgets of ``sandbox/limits.py``. Calls cross as plain data (``sandbox/wire.py``).
A call that raises, hangs, kills the process or sends garbage fails that one
call; the next call gets a fresh process.

Which workers it talks to is a ``WorkerKind``: the real, isolated one
(``ISOLATED``) everywhere the engine grades. The project's own tests may put
an in-process stand-in behind the same interface (``tests/in_process_worker.py``);
nothing in the engine, the command line or the environment selects it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from autograder.interface import NotImplementedYet, Reply, StudentError, Submission, SubmissionDidNotImport
from autograder.sandbox import protections, wire
from autograder.sandbox.cgroups import GradingGroup
from autograder.sandbox.channel import Allowance, OutOfTime, SharedArguments, Unsolicited, WorkerDied, WorkerProcess
from autograder.sandbox.limits import BACKSTOP, Limits
from autograder.sandbox.policy import Sandbox

# A function that runs past its time limit or ends its process this many times
# is not run again: each such call costs a limit's wait or a fresh import.
STRIKES = 2
# Seconds a reading of the grading's cgroup CPU count is reused for (between the budget checks of one call).
GROUP_READ_EVERY = 0.01


class Worker(Protocol):
    """One worker as the proxy talks to it (``channel.WorkerProcess``, or a test's in-process stand-in)."""

    shared: SharedArguments | None
    protections: dict[str, Any]
    spent_cpu: float
    spent_wall: float
    spent_asleep: float

    @property
    def cpu_measured(self) -> bool: ...

    def start(self, allowance: Allowance) -> dict[str, Any]: ...

    def request(
        self, header: dict[str, Any], blobs: list[np.ndarray], allowance: Allowance
    ) -> tuple[Any, list[Any]]: ...

    def alive(self) -> bool: ...

    def take_output(self) -> str: ...

    def stop(self) -> int: ...


class WorkerKind(Protocol):
    """How a grading gets its workers and its cgroup: the isolated kind, or a test's stand-in."""

    name: str
    isolates: bool  # False: student code runs in the grader's process (the project's own tests only)

    def grading_group(self, limits: Limits) -> GradingGroup | None: ...

    def start(self, path: Path, module: str, limits: Limits, policy: Sandbox, group: GradingGroup | None) -> Worker: ...


class _Isolated:
    """Workers in their own processes, under the policy, in the grading's cgroup (as root on Linux)."""

    name = "isolated"
    isolates = True

    def grading_group(self, limits: Limits) -> GradingGroup | None:
        return GradingGroup.make(limits.memory_mb, limits.processes)

    def start(self, path: Path, module: str, limits: Limits, policy: Sandbox, group: GradingGroup | None) -> Worker:
        return WorkerProcess(path, module, limits, policy, group)


ISOLATED: WorkerKind = _Isolated()


class IsolatedSubmission(Submission):
    """The student's module as seen from the grader: ``sub.some_function(x, 0.5)``.

    ``sub.seed(s)`` seeds NumPy's global generator in the student's process right
    before the next call, like ``np.random.seed(s)`` would in-process.
    """

    def __init__(
        self,
        path: Path | None,
        module: str,
        limits: Limits,
        sandbox: Sandbox,
        rejected: str | None = None,
        workers: WorkerKind = ISOLATED,
    ):
        super().__init__()
        self.workers = workers
        self.path = path
        self.module = module
        self.limits = limits
        self.sandbox = sandbox
        self.rejected = rejected
        self.import_error: str | None = None
        self.protections: dict[str, Any] = {}
        self.cpu_measured = True  # False where the budgets fell back to the wall clock (no /proc)
        self._process: Worker | None = None
        self._strikes: dict[str, int] = {}
        self._output: list[str] = []
        self._spent = _Budget()  # what the student's code used so far, all of it
        self._spent_in: dict[str, _Budget] = {}  # the same, per function called
        self.survivors = 0  # processes of the submission still alive after it was stopped
        # The grading's cgroup (as root on Linux), made with its first worker and removed on close.
        self.group: GradingGroup | None = None

    def _run(self, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], seed: int | None) -> Reply:
        """Call ``function(*args, **kwargs)`` in the student's process and return its reply."""
        if self.rejected:
            raise SubmissionDidNotImport(self.rejected)
        if self._strikes.get(function, 0) >= STRIKES:
            raise StudentError(
                f"not run: {function} already ran past the time limit or ended "
                f"the process running your code {STRIKES} times"
            )
        spent_in = self._spent_in.setdefault(function, _Budget())
        self._refuse_when_used_up(function, spent_in)  # before any import
        worker = self._worker()
        self._refuse_when_used_up(function, spent_in)
        blobs: list[np.ndarray] = []
        shared = worker.shared
        if shared is not None:
            shared.reset()
        header = {
            "function": function,
            "args": [wire.encode(arg, blobs, shared=shared) for arg in args],
            "kwargs": {str(name): wire.encode(value, blobs, shared=shared) for name, value in kwargs.items()},
            "seed": seed,
            "shared": shared.size if shared is not None else None,
        }
        allowance, which = self._allowance(spent_in)
        try:
            reply, arrays = worker.request(header, blobs, allowance)
        except OutOfTime as out:
            self._strike(function)
            raise StudentError(self._out_of_time(function, out.kind, which, worker)) from None
        except WorkerDied as died:
            self._strike(function)
            raise StudentError(f"the process running your code ended during {function} ({died})") from None
        except Unsolicited as error:
            self._stop()
            raise StudentError(f"{function} was not run: the process running your code was ended, {error}") from None
        except wire.WireError as error:
            self._stop()
            raise StudentError(f"{function} sent back something that is not plain data ({error})") from None
        finally:
            for budget in (self._spent, spent_in):
                budget.add(worker.spent_cpu, worker.spent_wall)
            self._output.append(worker.take_output())
        if not reply.get("ok"):
            raise error_from(reply.get("error"), function)
        try:
            result = wire.decode(reply.get("result"), arrays)
            args_after, kwargs_after = _arguments_after(header, args, kwargs, reply, arrays, shared)
        except wire.WireError as error:
            self._stop()  # what it sends next cannot be trusted to answer the next request
            raise StudentError(f"{function} sent back something unreadable ({error})") from None
        return Reply(
            result=result,
            rng_used=bool(reply.get("rng_used")),
            args_after=args_after,
            kwargs_after=kwargs_after,
            aliased=_aliased(reply.get("aliases"), args, kwargs),
        )

    def take_output(self) -> str:
        """What the student's code printed since the last time this was asked."""
        text = "".join(self._output)
        self._output.clear()
        return text

    # -- budgets ---------------------------------------------------------------
    def _total_cpu(self) -> float:
        """CPU seconds the student's code used so far, in calls and (where a cgroup counts) between them.

        Processes the submission leaves computing between two calls (the grader checks
        the last answer meanwhile) are its code too: the group's count holds them, and
        every worker of the grading since the group was made.
        """
        if self.group is None or not self.protections.get("control_group"):
            return self._spent.cpu
        # A call asks three times, right after the meter read the count at the end of the last one: one read does.
        return max(self._spent.cpu, self.group.cpu_seconds(within=GROUP_READ_EVERY) or 0.0)

    def _refuse_when_used_up(self, function: str, spent_in: _Budget) -> None:
        limits = self.limits
        if self._total_cpu() >= limits.total_seconds or self._spent.wall >= limits.total_seconds * BACKSTOP:
            raise StudentError(
                f"not run: your code already used the {limits.total_seconds:g} s of CPU time it may take in total"
            )
        if spent_in.cpu >= limits.function_seconds or spent_in.wall >= limits.function_seconds * BACKSTOP:
            raise StudentError(
                f"not run: {function} already used the {limits.function_seconds:g} s of CPU time "
                f"its calls may take in total"
            )

    def _allowance(self, spent_in: _Budget) -> tuple[Allowance, str]:
        """What the next call may use, and which budget sets it ("call", "function" or "total")."""
        limits = self.limits
        left = {
            "call": limits.call_seconds,
            "function": limits.function_seconds - spent_in.cpu,
            "total": limits.total_seconds - self._total_cpu(),
        }
        which = min(left, key=lambda budget: left[budget])
        wall = min(
            limits.call_seconds * BACKSTOP,
            limits.function_seconds * BACKSTOP - spent_in.wall,
            limits.total_seconds * BACKSTOP - self._spent.wall,
        )
        return Allowance(cpu=left[which], wall=wall), which

    def _out_of_time(self, function: str, kind: str, which: str, worker: Worker) -> str:
        limits = self.limits
        if kind == "stopped":
            return (
                f"{function} was stopped: the process running your code stopped itself (SIGSTOP), so it cannot answer"
            )
        if kind == "wall":
            return (
                f"{function} was stopped after {worker.spent_wall:.1f} s on the clock having used "
                f"{worker.spent_cpu:.1f} s of CPU time: a call may take {BACKSTOP} times its CPU time "
                f"budget on the clock, and no more"
            )
        unit = "s of CPU time" if self.cpu_measured else "s (on the clock: this system gives no CPU times)"
        asleep = (
            " (most of it waiting, not computing: time your code spends sleeping or blocked, "
            "waiting for a child process or anything else, counts too)"
            if worker.spent_asleep > worker.spent_cpu / 2 and self.cpu_measured
            else ""
        )
        if which == "call":
            limit = f"{limits.call_seconds:g} {unit}"
            return f"{function} did not finish within the time limit of {limit} for one call{asleep}"
        if which == "function":
            return (
                f"{function} was stopped: it used up the time your code may take for one function "
                f"({limits.function_seconds:g} {unit} for all calls of {function}){asleep}"
            )
        return (
            f"{function} was stopped: it used up the time your code may take "
            f"({limits.total_seconds:g} {unit} in total, imports included){asleep}"
        )

    # -- process management --------------------------------------------------
    def _strike(self, function: str) -> None:
        self._strikes[function] = self._strikes.get(function, 0) + 1
        self._stop()

    def _worker(self) -> Worker:
        if self.import_error is not None:
            raise SubmissionDidNotImport(self.import_error)
        if self._process is None or not self._process.alive():
            self._stop()  # a worker that ended by itself may still have children
            limits = self.limits
            cpu = min(limits.import_seconds, limits.total_seconds - self._total_cpu())
            wall = min(limits.import_seconds, limits.total_seconds - self._spent.wall / BACKSTOP) * BACKSTOP
            if self.group is None:
                self.group = self.workers.grading_group(self.limits)
            if self.path is None:
                raise SubmissionDidNotImport(self.rejected or f"there is no {self.module}.py to import")
            self._process = self.workers.start(self.path, self.module, self.limits, self.sandbox, self.group)
            try:
                ready = self._process.start(Allowance(cpu=cpu, wall=wall))
            except (OutOfTime, WorkerDied, wire.WireError) as error:
                self.protections = self._process.protections or self.protections
                self._output.append(self._process.take_output())
                self._spent.add(self._process.spent_cpu, self._process.spent_wall)
                self._stop()
                if isinstance(error, OutOfTime) and error.kind == "cpu" and cpu < limits.import_seconds:
                    # The total ran out, not the import's own budget: later calls say so too.
                    raise StudentError(
                        f"not run: your code used up the {limits.total_seconds:g} s of CPU time it may take "
                        f"in total (imports included) while {self.module}.py was imported again"
                    ) from None
                if isinstance(error, OutOfTime):
                    reason = {
                        "cpu": f"took longer than {limits.import_seconds:g} s of CPU time",
                        "wall": f"took longer than {wall:.0f} s on the clock",
                    }.get(error.kind, "was stopped: the process stopped itself (SIGSTOP)")
                else:
                    reason = f"ended ({error})"
                self.import_error = f"importing {self.module}.py {reason}"
                raise SubmissionDidNotImport(self.import_error) from None
            self._spent.add(self._process.spent_cpu, self._process.spent_wall)
            self.cpu_measured = self._process.cpu_measured
            self._output.append(self._process.take_output())
            self.protections = protections.in_the_grading(
                self._process.protections, self.group, self.cpu_measured, self._process.shared is not None
            )
            if not ready.get("ready"):
                self._stop()
                self.import_error = _import_message(ready.get("error"), self.module)
                raise SubmissionDidNotImport(self.import_error)
        return self._process

    def _stop(self) -> None:
        if self._process is not None:
            self.survivors = max(self.survivors, self._process.stop())
            self._process = None

    def close(self) -> None:
        self._stop()
        if self.group is not None:
            self.survivors = max(self.survivors, self.group.remove())
            self.group = None

    def __enter__(self) -> IsolatedSubmission:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Budget:
    """CPU and wall-clock seconds used so far."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.wall = 0.0

    def add(self, cpu: float, wall: float) -> None:
        self.cpu += cpu
        self.wall += wall


def _arguments_after(
    header: dict[str, Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    reply: dict[str, Any],
    arrays: list[Any],
    shared: SharedArguments | None,
) -> tuple[list[Any], dict[str, Any]]:
    """The arguments as the call left them: read back from the shared memory, or (without it) as reported."""
    if shared is not None:
        args_after = [_observed(spec, arg, shared) for spec, arg in zip(header["args"], args, strict=True)]
        kwargs_after = {name: _observed(header["kwargs"][name], kwargs[name], shared) for name in kwargs}
        # Lists are the worker's word (they cross by value): what the call did to them.
        lists = _named(reply.get("lists_after"))
        for index, arg in enumerate(args):
            if isinstance(arg, list) and str(index) in lists:
                args_after[index] = wire.decode(lists[str(index)], arrays)
        for name, value in kwargs.items():
            if isinstance(value, list) and name in lists:
                kwargs_after[name] = wire.decode(lists[name], arrays)
        return args_after, kwargs_after
    args_after = [wire.decode(spec, arrays) for spec in _listed(reply.get("args_after"))]
    return args_after, {str(k): wire.decode(v, arrays) for k, v in _named(reply.get("kwargs_after")).items()}


def _observed(spec: object, sent: Any, shared: SharedArguments) -> Any:
    """An argument as the grader finds it after the call: arrays read back from the shared memory."""
    if isinstance(spec, dict) and "shared" in spec:
        return shared.read(spec["shared"])
    if isinstance(spec, dict) and isinstance(sent, (tuple, list)):
        items = spec.get("tuple", spec.get("list"))
        if isinstance(items, list) and len(items) == len(sent):
            return type(sent)(_observed(item, value, shared) for item, value in zip(items, sent, strict=True))
    return sent  # numbers and None cannot change


def _aliased(value: object, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[int | str]:
    """The worker's word on which arguments the result shares memory with: only real positions and names."""
    keys = set(range(len(args))) | set(kwargs)
    return [
        key for key in _listed(value)[:64] if isinstance(key, (int, str)) and not isinstance(key, bool) and key in keys
    ]


def _listed(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _named(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def error_from(error: object, function: str) -> StudentError:
    """The StudentError a worker's description of an error (type, kinds, message, where) stands for."""
    error = error if isinstance(error, dict) else {}
    kind = str(error.get("type", "Error"))[:80]
    message = str(error.get("message", ""))[:500]
    if kind == "missing":
        return StudentError(f"{function} is not defined in your file")
    if kind == "NotImplementedError":
        return NotImplementedYet(f"{function} is not implemented yet (it raises NotImplementedError)")
    kinds = [str(k)[:80] for k in _listed(error.get("kinds"))[:16]]
    return StudentError(f"{function} raised {kind}: {message}{_where(error.get('where'))}", raised=kinds)


def _where(frames: object) -> str:
    if not isinstance(frames, list) or not frames:
        return ""
    lines = []
    for frame in frames[-3:]:
        if isinstance(frame, dict):
            lines.append(
                f"  line {frame.get('line')}, in {str(frame.get('function'))[:60]}: {str(frame.get('code'))[:160]}"
            )
    return "\n" + "\n".join(lines) if lines else ""


def _import_message(error: object, module: str) -> str:
    error = error if isinstance(error, dict) else {}
    kind = str(error.get("type", "Error"))[:80]
    message = str(error.get("message", ""))[:500]
    return f"{module}.py could not be imported: {kind}: {message}{_where(error.get('where'))}"
