"""The figures file an assignment declares in course.toml, imported on demand."""

from __future__ import annotations

import sys
from types import ModuleType

from autograder.course import Assignment
from autograder.imports import import_file


def load_figures(assignment: Assignment) -> ModuleType | None:
    """The assignment's figures module, or None when it declares none.

    It is the course's own file (never the submission's copy of it), imported
    under a private name so that it cannot shadow or be shadowed by a
    student's module.
    """
    if assignment.figures is None:
        return None
    name = f"_course_figures_{assignment.id}"
    if name in sys.modules:
        return sys.modules[name]
    if not assignment.figures.is_file():
        raise FileNotFoundError(f"{assignment.id}: the figures file {assignment.figures} does not exist")
    return import_file(name, assignment.figures, register=True)
