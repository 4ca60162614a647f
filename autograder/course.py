"""The course manifest (``course.toml``): assignments, tasks in order, hints, limits."""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from autograder.manifest import (
    Assignment,
    Course,
    CourseError,
    ManifestError,
    NotebookExtras,
    Task,
    build,
    validate,
)

# Raised by load_course, and the schema's dataclasses, importable from here.
__all__ = ["Assignment", "CourseError", "ManifestError", "NotebookExtras", "Task"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT_ROOT / "course.toml"


class UnknownAssignment(KeyError):
    """The name given is not an assignment of this course."""


def load_course(manifest: Path = MANIFEST) -> dict[str, Assignment]:
    """All assignments of the manifest, by id, in course order; ManifestError if it breaks its schema."""
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{manifest}: no such file (the course manifest)") from None
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{manifest.name}: not valid TOML: {error}") from None
    validate(data, manifest)
    course: Course = build(Course, data, manifest.parent)
    return {assignment.id: assignment for assignment in course.assignments}


def get_assignment(assignment_id: str, manifest: Path = MANIFEST) -> Assignment:
    """The assignment called ``assignment_id``, or a clear error naming the known ones."""
    course = load_course(manifest)
    if assignment_id not in course:
        raise UnknownAssignment(f"no assignment {assignment_id!r}; known: {', '.join(course)}")
    return course[assignment_id]


ASSIGNMENT_HEADER = re.compile(r"^\s*\[\[\s*assignments\s*\]\]\s*(#.*)?$")


def manifest_text_for(text: str, keep: set[str]) -> str:
    """The manifest's text with only the ``[[assignments]]`` blocks whose id is in ``keep``.

    The rest (the course table, comments, layout) stays as written, so a bundle
    made for one assignment carries its own entry exactly and nothing of the others.
    """
    lines = text.splitlines(keepends=True)
    starts = [number for number, line in enumerate(lines) if ASSIGNMENT_HEADER.match(line)]
    if not starts:
        return text
    kept = lines[: starts[0]]
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        block = "".join(lines[start:end])
        if tomllib.loads(block)["assignments"][0].get("id") in keep:
            kept.append(block)
    return "".join(kept)


def make_command(target: str, assignment: Assignment | None = None, **variables: object) -> str:
    """The `make` command a student can paste, e.g. ``make hint TASK=some_task RESET=1``.

    Both Makefiles (this project's and the release's) default ASSIGNMENT to the
    course's first assignment, so it is named only for the others.
    """
    words = ["make", target]
    if assignment is not None and assignment.id != next(iter(load_course())):
        words.append(f"ASSIGNMENT={assignment.id}")
    words += [f"{name}={value}" for name, value in variables.items() if value not in (None, "")]
    return " ".join(words)
