"""Make the student's stubs from the reference: the solution regions become TODOs.

In ``solutions/<id>/<module>.py`` every ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
region inside a function becomes a TODO (the task's ``todo`` from the manifest)
and a ``raise NotImplementedError`` naming the task; a region at module level
(a private helper) is dropped. Docstrings and signatures stay as they are.
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


def write_stub(assignment: Assignment) -> bool:
    """Regenerate the assignment's stub file; returns whether it changed."""
    target = assignment.folder / assignment.filename
    stub = make_stub(assignment.solution.read_text(encoding="utf-8"), assignment)
    old = target.read_text(encoding="utf-8") if target.exists() else None
    if old != stub:
        target.write_text(stub, encoding="utf-8")
    return old != stub


def _tidy(text: str) -> str:
    """At most two blank lines in a row, none at the end (what a dropped helper leaves)."""
    return re.sub(r"\n{4,}", "\n\n\n", text).rstrip()
