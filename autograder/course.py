"""The course manifest (``course.toml``): assignments, tasks in order, hints, limits."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from autograder.manifest import CourseError, ManifestError, validate
from autograder.runner import Limits

__all__ = ["CourseError", "ManifestError"]  # raised by load_course, importable from here

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT_ROOT / "course.toml"


@dataclass(frozen=True)
class Task:
    """One function the students write: what its stub asks for, and hints from gentle to strong."""

    name: str
    todo: str
    hints: tuple[str, ...]


@dataclass(frozen=True)
class NotebookExtras:
    """What the assignment's nbgrader notebook adds to its tasks (all optional)."""

    readme_sections: tuple[str, ...] = ()  # sections of the README shown in the introduction
    closing: Path | None = None  # markdown; its ```python blocks become code cells, after the tasks
    files: tuple[Path, ...] = ()  # copied beside the notebook (pictures the closing cells open)


@dataclass(frozen=True)
class Assignment:
    """One assignment of the course and where its parts live."""

    id: str
    title: str
    module: str
    folder: Path
    solution: Path | None  # None in the students' copy of the manifest
    public_tests: Path
    hidden_tests: Path | None
    limits: Limits
    tasks: tuple[Task, ...]
    figures: Path | None = None  # the assignment's figures file (see autograder/figures/tools.py)
    notebook: NotebookExtras = NotebookExtras()

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    @property
    def task_names(self) -> list[str]:
        return [task.name for task in self.tasks]

    def task(self, name: str) -> Task:
        for task in self.tasks:
            if task.name == name:
                return task
        raise KeyError(f"{self.id} has no task {name!r}; its tasks are {', '.join(self.task_names)}")


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
    root = manifest.parent
    assignments = {}
    for entry in data["assignments"]:
        assignments[entry["id"]] = Assignment(
            id=entry["id"],
            title=entry["title"],
            module=entry["module"],
            folder=root / entry["folder"],
            solution=root / entry["solution"] if "solution" in entry else None,
            public_tests=root / entry["public_tests"],
            hidden_tests=root / entry["hidden_tests"] if "hidden_tests" in entry else None,
            limits=Limits(**entry.get("limits", {})),
            tasks=tuple(Task(t["name"], t["todo"], tuple(t.get("hints", ()))) for t in entry["tasks"]),
            figures=root / entry["figures"] if "figures" in entry else None,
            notebook=_notebook_extras(entry.get("notebook", {}), root),
        )
    return assignments


def _notebook_extras(table: dict, root: Path) -> NotebookExtras:
    return NotebookExtras(
        readme_sections=tuple(table.get("readme_sections", ())),
        closing=root / table["closing"] if "closing" in table else None,
        files=tuple(root / name for name in table.get("files", ())),
    )


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


def make_command(target: str, assignment: Assignment | None = None, **variables) -> str:
    """The `make` command a student can paste, e.g. ``make hint TASK=some_task RESET=1``.

    Both Makefiles (this project's and the release's) default ASSIGNMENT to the
    course's first assignment, so it is named only for the others.
    """
    words = ["make", target]
    if assignment is not None and assignment.id != next(iter(load_course())):
        words.append(f"ASSIGNMENT={assignment.id}")
    words += [f"{name}={value}" for name, value in variables.items() if value not in (None, "")]
    return " ".join(words)
