"""Make the student's stubs from the reference: the solution regions become TODOs.

In ``solutions/<id>/<module>.py`` every ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
region inside a function becomes a TODO (the task's ``todo`` from the manifest)
and a ``raise NotImplementedError`` naming the task; a region at module level
(a private helper) is dropped. Docstrings and signatures stay as they are.

Beside the stub goes a generated ``conftest.py``, so that plain ``pytest`` runs
the public tests on the student's file; no author writes or copies one.
"""

from __future__ import annotations

import re

from autograder.course import Assignment

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
DEF = re.compile(r"^(\s*)def (\w+)\(")


class MarkerError(ValueError):
    """The solution's markers do not pair up."""


def make_stub(source: str, assignment: Assignment) -> str:
    """The stub text for a reference solution's source."""
    todos = {task.name: task.todo for task in assignment.tasks}
    out: list[str] = []
    function = None
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        match = DEF.match(line)
        if match and not inside:
            function = match.group(2) if not match.group(1) else function
        if stripped == BEGIN:
            if inside:
                raise MarkerError(f"line {number}: {BEGIN} inside another solution region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            if indent and function:
                todo = todos.get(function, "implement this function.")
                out.append(f"{indent}# TODO({function}): {todo}")
                out.append(f'{indent}raise NotImplementedError("{function}: not implemented yet")')
            continue
        if stripped == END:
            if not inside:
                raise MarkerError(f"line {number}: {END} without {BEGIN}")
            inside = False
            continue
        if not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{BEGIN} is never closed")
    return _tidy("\n".join(out)) + "\n"


def solution_lines(source: str) -> list[str]:
    """The non-trivial lines inside solution regions (to look for leaks)."""
    lines, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped in (BEGIN, END):
            inside = stripped == BEGIN
        elif inside and len(stripped) > 12 and not stripped.startswith(("#", '"""')):
            lines.append(stripped)
    return lines


PUBLIC_CONFTEST = '''\
"""Lets `make check` run the public tests on {filename} in this folder, with pytest.

(`make check` uses the repository's .venv, where pytest and the grader are
installed.) The tests see your module as the `submission` fixture;
`submission.seed(s)` is `np.random.seed(s)`. `make grade` runs the same tests
with your code in a separate process instead. (This file is generated: `make
stubs` writes it.)
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest


class _Direct:
    def __init__(self, module):
        self._module = module

    def seed(self, seed):
        np.random.seed(seed)

    def __getattr__(self, name):
        return getattr(self._module, name)


@pytest.fixture(scope="session")
def submission():
    spec = importlib.util.spec_from_file_location("{module}", Path(__file__).with_name("{filename}"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return _Direct(module)


def pytest_configure(config):
    for line in (
        "task(name): the function a test checks",
        "points(n): what a test is worth",
        "visibility(v): who sees the result",
    ):
        config.addinivalue_line("markers", line)
'''
CONFTEST = "conftest.py"


def make_public_conftest(assignment: Assignment) -> str:
    """The conftest that lets plain pytest run an assignment's public tests on the student's file."""
    return PUBLIC_CONFTEST.format(module=assignment.module, filename=assignment.filename)


def write_stub(assignment: Assignment, folder=None) -> dict:
    """Regenerate the stub and its conftest in ``folder`` (default: the assignment's): {path: changed}."""
    folder = assignment.folder if folder is None else folder
    stub = make_stub(assignment.solution_file.read_text(encoding="utf-8"), assignment)
    generated = {folder / assignment.filename: stub, folder / CONFTEST: make_public_conftest(assignment)}
    return {path: _write_if_changed(path, text) for path, text in generated.items()}


def _write_if_changed(target, text: str) -> bool:
    old = target.read_text(encoding="utf-8") if target.exists() else None
    if old != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return old != text


def _tidy(text: str) -> str:
    """At most two blank lines in a row, none at the end (what a dropped helper leaves)."""
    return re.sub(r"\n{4,}", "\n\n\n", text).rstrip()
