"""The figures file an assignment declares in course.toml, imported on demand."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from autograder.course import Assignment


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
    spec = importlib.util.spec_from_file_location(name, assignment.figures)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
