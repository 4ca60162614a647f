"""A stand-in for the sandbox's worker that runs a known file in the grader's own process: tests only.

Behind the same door as the isolated worker (``sandbox.WorkerKind``): the
proxy, its messages and its budgets are the real ones, the request and the
reply cross the real ``wire`` encoding, and the call is the worker's own
``call`` (seeding, the generator's use, aliases, the arguments after the call).
What it leaves out is the isolation: no process, no user, no limits, no
namespaces, no seccomp, no cgroup. So it is for the project's own tests of
files the project wrote (tests/submissions, the references): never for
student code. Nothing in the engine, its command line or its environment
can select it; a test file selects it with ``pytestmark = pytest.mark.in_process``.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograder import generator_state
from autograder.sandbox import Limits, Sandbox, libraries, wire
from autograder.sandbox import worker as worker_script
from autograder.sandbox.cgroups import GradingGroup
from autograder.sandbox.channel import Allowance, SharedArguments

_NUMBERS = itertools.count()


class InProcessWorker:
    """One 'worker': the submission imported under a private name, its own random stream and output."""

    def __init__(self, path: Path, module: str, limits: Limits):
        self.limits = limits
        self.module = module
        self.folder = Path(tempfile.mkdtemp(prefix="autograder-in-process-"))
        # Copied under the module's own file name, as the worker's folder holds it: tracebacks name it alike.
        self.path = self.folder / f"{module}.py"
        shutil.copyfile(path, self.path)
        self.name = f"_in_process_{module}_{next(_NUMBERS)}"
        self.shared: SharedArguments | None = None  # arguments cross on the "pipe", as they do without memfd
        self.protections: dict[str, Any] = {}  # none is in force: described as such
        self.spent_cpu = self.spent_wall = self.spent_asleep = 0.0
        self._module: Any = None
        self._output = io.StringIO()
        self._alive = False
        # The worker's generator starts from the same seed in every (fresh) worker.
        self._state = generator_state.from_legacy(np.random.RandomState(worker_script.UNSEEDED_START).get_state())

    @property
    def cpu_measured(self) -> bool:
        return True

    def start(self, allowance: Allowance) -> dict[str, Any]:
        del allowance  # known files import at once
        self._alive = True
        worker_script.AVAILABLE[:] = libraries.ALWAYS
        with self._as_the_worker():
            try:
                self._module = worker_script.import_submission(str(self.path), self.name)
            except BaseException as error:  # noqa: BLE001 - what the worker reports, as it reports it
                return _crossed({"ready": False, "error": worker_script.describe(error, str(self.path), wire)})[0]
        return {"ready": True}

    def request(self, header: dict[str, Any], blobs: list[np.ndarray], allowance: Allowance) -> tuple[Any, list[Any]]:
        del allowance
        header, arrays = _crossed(header, blobs)
        args = [wire.decode(spec, arrays) for spec in header["args"]]
        kwargs = {str(name): wire.decode(spec, arrays) for name, spec in header["kwargs"].items()}
        function = getattr(self._module, header["function"], None)
        if not callable(function):
            missing = {"type": "missing", "message": f"{header['function']} is not defined"}
            return _crossed({"ok": False, "error": missing})
        generator = {
            "seed": np.random.seed,
            "get_state": _key_and_position,
            "shared_with": functools.partial(wire.shared_with, overlap=np.may_share_memory),
        }
        with self._as_the_worker():
            reply, sent = worker_script.call(
                function, header, args, kwargs, generator, wire, str(self.path), sent_back=True
            )
        try:
            return _crossed(reply, sent)
        except wire.WireError:
            return _crossed(
                {"ok": False, "error": {"type": "WireError", "message": "the result could not be sent back"}}
            )

    @contextlib.contextmanager
    def _as_the_worker(self):
        """Its own random stream, its printed output kept, Python's default warnings (not pytest's)."""
        outer = generator_state.read()
        generator_state.write(self._state)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            with (
                contextlib.redirect_stdout(self._output),
                contextlib.redirect_stderr(self._output),
                warnings.catch_warnings(),
                np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"),  # NumPy's own defaults
            ):
                warnings.resetwarnings()
                warnings.simplefilter("default")
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.showwarning = _printed_warning  # on the student's output, as the worker's Python does
                yield
        finally:
            self._state = generator_state.read()
            generator_state.write(outer)
            self.spent_cpu = time.process_time() - cpu
            self.spent_wall = time.perf_counter() - started

    def alive(self) -> bool:
        return self._alive

    def take_output(self) -> str:
        text = self._output.getvalue()
        self._output = io.StringIO()
        data = text.encode()
        if len(data) > self.limits.output_bytes:
            cut = len(data) - self.limits.output_bytes
            text = (
                data[: self.limits.output_bytes].decode(errors="replace") + f"\n... [{cut} more bytes of output cut]\n"
            )
        return text

    def stop(self) -> int:
        self._alive = False
        sys.modules.pop(self.name, None)
        shutil.rmtree(self.folder, ignore_errors=True)
        return 0


def _key_and_position() -> tuple[None, np.ndarray, int]:
    """What the worker's ``call`` compares of ``np.random.get_state()`` to tell whether a call drew (key, position)."""
    state = generator_state.read()
    keys = np.frombuffer(state, dtype=np.uint32, count=624)
    return None, keys, int.from_bytes(state[keys.nbytes : keys.nbytes + 4], sys.byteorder, signed=True)


def _printed_warning(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _crossed(header: dict[str, Any], blobs: Sequence[np.ndarray] = ()) -> tuple[Any, list[Any]]:
    """A message as the other side reads it: framed and parsed by ``wire``, as on the pipe."""
    return wire.read_message(io.BytesIO(b"".join(wire.frame(header, blobs))), max_bytes=1 << 31)


class InProcessWorkers:
    """The kind of worker: no cgroup, no uid, student code in this process."""

    name = "in-process"
    isolates = False

    def grading_group(self, limits: Limits) -> GradingGroup | None:
        return None

    def start(self, path: Path, module: str, limits: Limits, policy: Sandbox, group: GradingGroup | None):
        return InProcessWorker(path, module, limits)


IN_PROCESS = InProcessWorkers()
