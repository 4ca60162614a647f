"""Hidden checks inside an nbgrader kernel: the pytest suites' own test functions, called on the notebook.

A hidden test cell holds one line, ``run_check(globals(), ...)``. It finds the
suite's test function and parameter case, hands it ``submission`` (the
notebook's own functions behind the interface of ``sandbox.IsolatedSubmission``)
and ``reference`` (the reference module, as in the pytest grader), and runs it.

nbgrader scores a test cell 0 when it shows an error or writes to stderr, and
full points otherwise. A failed check therefore writes its feedback (the
assertion's message, never its source or a traceback) to stderr and returns;
a passed check writes nothing there, even when the student's code warns.

Student code runs in this kernel, next to the reference: there is no worker
process, no privilege drop and no resource limit here (see docs/nbgrader.md).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import sys
import warnings
from functools import cache
from types import SimpleNamespace

import numpy as np

from autograder.channels.notebook.checks import find
from autograder.checks import CheckError
from autograder.course import get_assignment
from autograder.grade import load_reference
from autograder.interface import Reply, StudentError, Submission
from autograder.plugin import InProcess, feedback_for, is_instructor_error
from autograder.safe_text import plain
from autograder.sandbox import error_from, error_kinds, shared_with

# Starts the line a check broken by its own error writes to stderr (never the error itself,
# which may quote the hidden suite): nbgrader-grade finds it in the graded notebooks.
BROKEN_CHECK = "autograder: broken check"


class NotebookSubmission(Submission):
    """The functions defined in a notebook, called the way the grader calls the isolated worker.

    Like the worker's process, it has its own random stream: a call runs on the
    submission's saved generator state (reseeded by ``seed``), and the caller's
    state is put back afterwards, so the reference's draws and the student's
    never disturb each other. Arguments are deep copies, as they would be after
    crossing to the worker; ``args_after`` shows what the call did to them.
    """

    def __init__(self, namespace: dict):
        super().__init__()
        self._namespace = namespace
        self._state = np.random.RandomState(0).get_state()

    def _run(self, function, args, kwargs, seed) -> Reply:
        student = self._namespace.get(function)
        if not callable(student):
            raise StudentError(f"{function} is not defined in your notebook")
        args = [copy.deepcopy(arg) for arg in args]
        kwargs = {name: copy.deepcopy(value) for name, value in kwargs.items()}
        outer = np.random.get_state()
        np.random.set_state(self._state)
        if seed is not None:
            np.random.seed(seed)
        before = np.random.get_state()
        try:
            result = student(*args, **kwargs)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - any error of student code fails the check
            described = {"type": type(error).__name__, "kinds": error_kinds(error), "message": str(error)}
            raise error_from(described, function) from None
        finally:
            self._state = np.random.get_state()
            np.random.set_state(outer)
        rng_used = not (before[2] == self._state[2] and np.array_equal(before[1], self._state[1]))
        aliased = shared_with(result, args, kwargs)
        return Reply(result=result, rng_used=rng_used, args_after=args, kwargs_after=kwargs, aliased=aliased)


@cache
def reference_for(assignment_id: str) -> InProcess:
    """The reference solution, loaded once per kernel."""
    return InProcess(load_reference(get_assignment(assignment_id)))


def run_check(namespace: dict, assignment_id: str, module: str, function: str, case: int | None = None) -> bool:
    """Run one hidden check on the notebook's functions; report a failure on stderr only."""
    assignment = get_assignment(assignment_id)
    test, check = find(assignment, "hidden", module, function, case)
    fixtures = {"submission": NotebookSubmission(namespace), "reference": reference_for(assignment_id)}
    wanted = inspect.signature(test).parameters
    arguments = {name: value for name, value in fixtures.items() if name in wanted} | check.params
    printed = io.StringIO()
    failure, broken = None, False
    with (
        contextlib.redirect_stdout(printed),
        contextlib.redirect_stderr(printed),
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
    ):
        warnings.simplefilter("ignore")
        try:
            test(**arguments)
        except Exception as error:  # noqa: BLE001 - reported like the pytest grader reports it
            broken = is_instructor_error(error)
            if broken and not isinstance(error, CheckError):  # a CheckError's own words say it already
                failure = "not graded: the check itself is broken, not your code; please tell your instructor"
            else:
                failure = feedback_for(SimpleNamespace(value=error))
    # The cells' output becomes the HTML feedback: student text without terminal control.
    if printed.getvalue().strip():
        print("Your code printed:\n" + plain(printed.getvalue().strip()[:2000]))
    if failure is not None:
        print(f"{check.name}: {plain(failure)}", file=sys.stderr)
    if broken:
        # The line nbgrader-grade looks for in the graded notebooks: it then gives no grade.
        print(f"{BROKEN_CHECK}: {check.name}", file=sys.stderr)
    return failure is None
