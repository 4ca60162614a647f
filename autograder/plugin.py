"""Where a submission is judged: a pytest plugin that turns each test into a graded check.

The suites are ordinary pytest files. They receive the student's functions as the
``submission`` fixture (an ``IsolatedSubmission``) and the reference as
``reference``; three markers set what a check is worth:

    @pytest.mark.task("function_name")    # the function it grades (names the result)
    @pytest.mark.points(2)                # its weight (default 1)
    @pytest.mark.visibility("visible")    # Gradescope visibility (default: the suite's)

The plugin records one ``TestResult`` per test. Feedback is the assertion's own
message or the student's error, never a traceback of the check, so hidden
checks' source does not reach students.

A check fails the student by an assertion (``assert``, ``pytest.fail``, the
helpers of ``autograder.checks``), by the student's own error
(``interface.StudentError``), or by tripping over what the student returned. An
error only the check's own code makes (``is_instructor_error``: a misspelt
name, a missing import or fixture, a keyword the function does not take) is
kept in ``broken_checks``: grading then fails for the instructor instead of
costing the student points. An exception class with ``instructor_error = True``
is such an error whatever its type.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from autograder.checks import CheckError
from autograder.course import PROJECT_ROOT
from autograder.difference import error_advice
from autograder.interface import Each, Pick, Reply, StudentError, Submission, SubmissionDidNotImport, first
from autograder.memo import Memo
from autograder.results import MAX_OUTPUT_CHARS, TestResult, truncate
from autograder.sandbox import shared_with

MARKERS = (
    "task(name): the student function a check grades",
    "points(n): what a check is worth",
    "visibility(v): Gradescope visibility of a check",
)
# pytest's error for a fixture nobody provides (public since pytest 8).
try:
    FIXTURE_LOOKUP_ERROR = pytest.FixtureLookupError
except AttributeError:  # pragma: no cover - pytest 7
    from _pytest.fixtures import FixtureLookupError as FIXTURE_LOOKUP_ERROR
# The grading each suites' thread runs now (``GradingPlugin.start``, on that thread): what the fixtures hand
# out. Fixtures that took pytest's ``request`` to reach it made pytest build a fixture definition of
# ``request`` (with the signature of its function) at every check's set-up, three times per check.
_RUNNING = threading.local()


@pytest.fixture(scope="session")
def submission() -> Submission:
    """The student's functions, running in the isolated worker."""
    found: Submission = _RUNNING.submission
    return found


@pytest.fixture(scope="session")
def reference() -> Submission | None:
    """The reference solution (None: a copy of the course without it), called in the grader's process."""
    found: Submission | None = _RUNNING.reference
    return found


class InProcess(Submission):
    """The reference module, called directly, with the same interface as the isolated one.

    ``seed`` seeds NumPy's global generator at once. With a ``memo``
    (``autograder.memo.Memo``), calls made before with the same arguments and
    generator state are replayed instead of recomputed; so are whole chains.
    """

    def __init__(self, module: ModuleType, memo: Memo | None = None) -> None:
        super().__init__()
        self._module = module
        self._memo = memo

    def seed(self, seed: int) -> None:
        super().seed(seed)
        self._seed = None
        np.random.seed(seed)

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._module, name)
        if not callable(found):
            return found
        return super().__getattr__(name)

    def _run(self, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], seed: int | None) -> Reply:
        if seed is not None:
            np.random.seed(seed)
        found = getattr(self._module, function)
        if self._memo is None:
            result = found(*args, **kwargs)
        else:
            result = self._memo.call(function, found, *args, **kwargs)
        return Reply(
            result=result,
            args_after=list(args),
            kwargs_after=dict(kwargs),
            aliased=shared_with(result, args, kwargs),
        )

    def chain(self, function: str, x: Any, params: Iterable[Any], pick: Pick = first, each: Each | None = None) -> Any:
        # Steps are never remembered one by one (hundreds of them would fill the
        # memo); a whole chain is, when nothing but its end is asked for.
        steps = InProcess(self._module) if self._memo is not None else self
        if self._memo is None or pick is not first or each is not None:
            return Submission.chain(steps, function, x, params, pick, each)
        return self._memo.call(f"chain:{function}", steps.chain, function, x, params)


class GradingPlugin:
    """Hands the fixtures their objects and collects one result per test.

    One per grading: ``collected.CollectedSuites.run`` registers it, calls ``start``,
    then runs every check.
    """

    def __init__(
        self,
        submission: Submission,
        reference: Submission | None,
        visibility: str = "visible",
        suite_visibility: Mapping[Path, str] | None = None,
    ) -> None:
        self._submission = submission
        self.visibility = visibility
        # A suite's default visibility, by its path (e.g. hidden checks after the due date).
        self.suite_visibility = {Path(k): v for k, v in (suite_visibility or {}).items()}
        self.results: list[TestResult] = []
        self.broken_checks: list[BrokenCheck] = []  # the checks' own errors: the instructor's to fix
        self._failures: dict[str, str] = {}
        self._reference = reference

    def start(self, config: pytest.Config) -> None:
        """Hand this grading's submission and reference to the fixtures (on the thread that runs the checks)."""
        del config  # the fixtures find them on this thread, whatever pytest's configuration
        _RUNNING.submission = self._submission
        _RUNNING.reference = self._reference

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self._submission.take_output()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Function, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:  # what it receives is pluggy's Result of the report
        outcome = yield
        report = outcome.get_result()
        if report.failed and item.nodeid not in self._failures:
            self._failures[item.nodeid] = feedback_for(call.excinfo)
            if call.excinfo is not None and is_instructor_error(call.excinfo.value):
                self.broken_checks.append(broken_check(item, call.excinfo))
        if report.when == "teardown":
            self.results.append(self._result(item))

    def _result(self, item: pytest.Function) -> TestResult:
        task, points, doc, marked = _described(item)
        failure = self._failures.get(item.nodeid)
        output = failure if failure is not None else "passed"
        # Each call keeps at most the worker's output limit; a check making many
        # calls would add them up, so what one check shows is cut once more here.
        printed = truncate(self._submission.take_output().strip(), MAX_OUTPUT_CHARS)
        if printed:
            output += "\n\nYour code printed:\n" + printed
        return TestResult(
            name=f"{task}: {doc}",
            score=0.0 if failure is not None else points,
            max_score=points,
            output=output,
            visibility=marked[0] if marked else self._default_visibility(item),
            task=task,
        )

    def _default_visibility(self, item: pytest.Item) -> str:
        if not self.suite_visibility:
            return self.visibility
        path = Path(item.path)
        for suite, visibility in self.suite_visibility.items():
            if path == suite or suite in path.parents:
                return visibility
        return self.visibility


@dataclass(frozen=True)
class BrokenCheck:
    """A check that failed by its own error, not by the student's."""

    check: str  # the check as file::test, e.g. "autograder/suites/<id>/test_x.py::test_y[2]"
    where: str  # file:line of the innermost frame of the course's code
    error: str  # "NameError: name 'x' is not defined"

    def __str__(self) -> str:
        return f"{self.check} raised {self.error} at {self.where}"


def is_instructor_error(error: BaseException) -> bool:
    """Whether an exception from a check is the check's own fault rather than the student's.

    Only a check's own code misspells a name, misses an import or a fixture,
    asks NumPy (or any module) for a function it does not have, or passes a
    keyword the function does not take. A TypeError or ValueError may come from
    the student's answer (unpacking one array as a pair): that stays the
    student's feedback; the reference's own run before grading
    (``grade.verify_reference``) catches the check bugs the reference reaches.
    """
    if isinstance(error, CheckError) or getattr(type(error), "instructor_error", False):
        return True
    if isinstance(error, (NameError, ImportError, SyntaxError, FIXTURE_LOOKUP_ERROR)):
        return True
    if isinstance(error, AttributeError) and isinstance(getattr(error, "obj", None), ModuleType):
        return True
    return isinstance(error, TypeError) and "unexpected keyword argument" in str(error)


def broken_check(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> BrokenCheck:
    """Name the check and the line of the course's own code (the suite or its helpers) where the error arose."""
    error = excinfo.value
    frames = [entry for entry in excinfo.traceback if _is_check_code(Path(str(entry.path)))]
    if frames:
        where = f"{_shown(Path(str(frames[-1].path)))}:{frames[-1].lineno + 1}"
    else:
        line = item.location[1]  # None for an item pytest knows no line of
        where = _shown(Path(item.path)) + (f":{line + 1}" if line is not None else "")
    message = str(error).splitlines()[0] if str(error) else ""
    return BrokenCheck(
        check=f"{_shown(Path(item.path))}::{item.name}", where=where, error=f"{type(error).__name__}: {message}"
    )


ENGINE = Path(__file__).resolve().parent


def _is_check_code(path: Path) -> bool:
    """A file of a suite or its helpers: not the engine's own modules, not a library's."""
    path = path.resolve()
    if "site-packages" in path.parts or not path.is_file():
        return False
    return (ENGINE / "suites") in path.parents or (ENGINE not in path.parents and PROJECT_ROOT in path.parents)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def feedback_for(excinfo: pytest.ExceptionInfo[BaseException] | None) -> str:  # noqa: PLR0911 - one return per kind of failure
    """The words a student sees for a failed check."""
    if excinfo is None:
        return "the check failed"
    error = excinfo.value
    if isinstance(error, CheckError):
        # Fixed inputs gave the check non-finite expected values: the suite's fault.
        return f"not graded: the check itself is broken, not your code ({error}); please tell your instructor"
    if isinstance(error, SubmissionDidNotImport):
        return f"not graded: {error}"
    if isinstance(error, StudentError):
        # The error's own words, and what to change when they are a number-where-an-array-came slip.
        advice = error_advice(str(error))
        return f"{error}\n{advice}" if advice else str(error)
    if isinstance(error, AssertionError):
        return str(error) or "the check failed"
    if isinstance(error, pytest.fail.Exception):
        return str(error)
    if isinstance(error, (ValueError, TypeError)) and "unpack" in str(error):
        # `xt, eps = f(...)` in a check, on something that is not a pair.
        return (
            "your function did not return the number of values this check expects: a function "
            "that returns a pair must end with `return first, second` (two arrays), not one array"
        )
    # A check tripped over something the student's code returned.
    return f"the check could not use what your code returned ({type(error).__name__}: {str(error)[:200]})"


# What a check's result is called and worth, from its markers and docstring: the same in every grading.
_DESCRIBED = pytest.StashKey[tuple[str, float, str, tuple[Any, ...]]]()


def _described(item: pytest.Function) -> tuple[str, float, str, tuple[Any, ...]]:
    """(task, points, the check's words with its parameters, (its visibility marker's,) or ()), made once per check."""
    if _DESCRIBED not in item.stash:
        task = _marker_arg(item, "task", item.name)
        points = float(_marker_arg(item, "points", 1))
        doc = (item.obj.__doc__ or item.name).strip().splitlines()[0].rstrip(".")
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            doc += f" [{', '.join(f'{k}={_short(v)}' for k, v in callspec.params.items())}]"
        marker = item.get_closest_marker("visibility")
        item.stash[_DESCRIBED] = (task, points, doc, (marker.args[0],) if marker and marker.args else ())
    return item.stash[_DESCRIBED]


def _marker_arg(item: pytest.Item, name: str, default: Any) -> Any:
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker and marker.args else default


def _short(value: object) -> str:
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value)
    return str(value)
