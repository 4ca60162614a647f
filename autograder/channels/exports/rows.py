"""From attempts to one row per student: which attempts are graded, which one counts, and the row's facts.

``--attempts latest`` (the default) grades each student's latest attempt, as the
platforms' own gradebooks count it; ``best`` grades every attempt and counts the
highest score (the latest among equals); ``all`` grades every attempt and counts
the latest. Attempts that are the same hand-in (a group submission on
Gradescope, one per submitter) are graded once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.channels.exports.entries import Attempt, safe_id
from autograder.channels.exports.plain import OUTPUT_NAMES
from autograder.results import GradeReport

POLICIES = ("latest", "best", "all")


@dataclass
class Student:
    """A student's attempts, oldest first, and where their results go under OUT."""

    key: str
    name: str
    attempts: list[Attempt]
    folder: str = ""


@dataclass
class Row:
    """One student's line of every gradebook."""

    student: Student
    report: GradeReport
    status: str  # graded, rejected, error, or "no submission"
    counted: int = 0  # the attempt that counts, 1 = the first; 0 for none
    scores: dict[int, float] = field(default_factory=dict)  # attempt number -> score, for those graded
    reason: str = ""

    @property
    def late(self) -> bool | None:
        return self.student.attempts[self.counted - 1].late if self.counted else None

    @property
    def entry(self) -> Path | None:
        return self.student.attempts[self.counted - 1].entry if self.counted else None


def group(attempts: list[Attempt]) -> list[Student]:
    """Students in id order, each with their attempts sorted by time, and a results folder of their own."""
    by_key: dict[str, Student] = {}
    for attempt in attempts:
        student = by_key.setdefault(attempt.student, Student(attempt.student, attempt.name, []))
        student.attempts.append(attempt)
        student.name = student.name or attempt.name
    students = sorted(by_key.values(), key=lambda s: s.key)
    taken: set[str] = set()
    for student in students:
        student.attempts.sort(key=lambda a: a.when)
        folder = safe_id(student.key)
        if folder.casefold() in OUTPUT_NAMES:
            folder += "-student"
        base, n = folder, 2
        while folder.casefold() in taken:
            folder, n = f"{base}-{n}", n + 1
        taken.add(folder.casefold())
        student.folder = folder
    return students


def to_grade(students: list[Student], policy: str) -> dict[str, tuple[Student, int]]:
    """Grading key -> (student, attempt number) for every attempt the policy grades."""
    chosen = {}
    for student in students:
        numbers = [len(student.attempts)] if policy == "latest" else range(1, len(student.attempts) + 1)
        for number in numbers:
            chosen[attempt_key(student, number)] = (student, number)
    return chosen


def attempt_key(student: Student, number: int) -> str:
    return student.folder if len(student.attempts) == 1 else f"{student.folder}/attempt-{number}"


def same_hand_in(attempt: Attempt) -> tuple[str, ...]:
    """What makes two attempts one hand-in, graded once: the same files."""
    return tuple(str(path) for path, _ in attempt.files)


def counted(student: Student, graded: dict[int, GradeReport], policy: str) -> int:
    """The attempt whose grade is the student's."""
    if policy == "best":
        return max(graded, key=lambda number: (graded[number].score, number))
    return max(graded)
