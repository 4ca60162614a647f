"""The graded checks of a suite, one per test function and parameter case, as pytest counts them.

The notebook gets one graded cell per ``Check``; its ``name`` is the name the
pytest grader gives the same test in results.json, so the two channels can be
compared check by check.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import PROJECT_ROOT, Assignment
from autograder.imports import import_file
from autograder.plugin import _short

FIXTURES = ("submission", "reference")


@dataclass(frozen=True)
class Check:
    """One graded test: a function of a suite module, with one case of its parameters."""

    suite: str  # "public" or "hidden"
    module: str  # file name without .py, e.g. "test_add_noise"
    function: str
    case: int | None  # index into the parametrize list, None when not parametrized
    task: str
    points: float
    doc: str
    params: dict = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """The test's name in the pytest grader's results."""
        name = f"{self.task}: {self.doc}"
        if self.params:
            name += f" [{', '.join(f'{k}={_short(v)}' for k, v in self.params.items())}]"
        return name

    @property
    def grade_id(self) -> str:
        """The nbgrader cell id: unique within the notebook, letters, digits and underscores."""
        case = "" if self.case is None else f"_{self.case}"
        return f"{self.suite}_{self.module.removeprefix('test_')}_{self.function.removeprefix('test_')}{case}"


def collect(assignment: Assignment, suite: str) -> list[Check]:
    """Every check of the public or hidden suite, in pytest's order (files by name, then source order)."""
    checks = []
    for module in suite_modules(assignment, suite):
        tests = [
            f
            for name, f in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("test_") and f.__module__ == module.__name__
        ]
        for function in sorted(tests, key=lambda f: f.__code__.co_firstlineno):
            checks += _cases(suite, module, function)
    return checks


def suite_modules(assignment: Assignment, suite: str) -> list:
    """The suite's test modules, imported as the grader imports them."""
    if suite == "public":
        return [load_file(assignment.public_tests)]
    if suite == "hidden":
        package = ".".join(assignment.hidden_folder.relative_to(PROJECT_ROOT).parts)
        return [
            importlib.import_module(f"{package}.{path.stem}")
            for path in sorted(assignment.hidden_folder.glob("test_*.py"))
        ]
    raise ValueError(f"unknown suite {suite!r}; choose public or hidden")


def find(assignment: Assignment, suite: str, module: str, function: str, case: int | None):
    """The test function and its parameter values for one check."""
    found = {m.__name__.rsplit(".", 1)[-1]: m for m in suite_modules(assignment, suite)}
    test = getattr(found[module], function)
    check = next(c for c in _cases(suite, found[module], test) if c.case == case)
    return test, check


def load_file(path: Path):
    """Import a test file by path under its own name (the public tests are not in a package)."""
    return import_file(f"_public_{path.stem}", path)


def _cases(suite, module, function) -> list[Check]:
    marks = list(getattr(function, "pytestmark", [])) + list(_as_list(getattr(module, "pytestmark", [])))
    task = _mark_arg(marks, "task", function.__name__)
    points = float(_mark_arg(marks, "points", 1))
    doc = (function.__doc__ or function.__name__).strip().splitlines()[0].rstrip(".")
    unknown = set(inspect.signature(function).parameters) - set(FIXTURES) - set(_argnames(marks))
    if unknown:
        raise ValueError(
            f"{module.__name__}.{function.__name__} asks for fixtures the notebook cannot give: {sorted(unknown)}"
        )
    base = dict(
        suite=suite,
        module=module.__name__.rsplit(".", 1)[-1].removeprefix("_public_"),
        function=function.__name__,
        task=task,
        points=points,
        doc=doc,
    )
    parametrize = [m for m in marks if m.name == "parametrize"]
    if not parametrize:
        return [Check(case=None, **base)]
    if len(parametrize) > 1:
        raise ValueError(f"{function.__name__}: stacked parametrize marks are not supported")
    names = _argnames(parametrize)
    cases = []
    for index, values in enumerate(parametrize[0].args[1]):
        row = values if len(names) > 1 else (values,)
        cases.append(Check(case=index, params=dict(zip(names, row, strict=True)), **base))
    return cases


def _argnames(marks) -> list[str]:
    names: list[str] = []
    for mark in marks:
        if mark.name == "parametrize":
            argnames = mark.args[0]
            names += [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
    return names


def _mark_arg(marks, name, default):
    for mark in marks:  # function marks come first, so they win over the module's
        if mark.name == name and mark.args:
            return mark.args[0]
    return default


def _as_list(marks):
    return marks if isinstance(marks, list) else [marks]
