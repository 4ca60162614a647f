"""The course manifest (``course.toml``): assignments, tasks in order, hints, limits."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from autograder.runner import Limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT_ROOT / "course.toml"


@dataclass(frozen=True)
class Task:
    """One function the students write: what its stub asks for, and hints from gentle to strong."""

    name: str
    todo: str
    hints: tuple[str, ...]


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
    """All assignments of the manifest, by id, in course order."""
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
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
        )
    return assignments


def get_assignment(assignment_id: str, manifest: Path = MANIFEST) -> Assignment:
    """The assignment called ``assignment_id``, or a clear error naming the known ones."""
    course = load_course(manifest)
    if assignment_id not in course:
        raise UnknownAssignment(f"no assignment {assignment_id!r}; known: {', '.join(course)}")
    return course[assignment_id]
