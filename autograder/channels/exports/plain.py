"""Today's plain folder: one entry per student, a folder or a file, the student id being its name."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from autograder.channels.exports.entries import Attempt, entries_of
from autograder.safe_text import plain as plain_text

NAME = "plain"
RULE = "one folder or file per student, named by the student's id"
# What grade-all writes next to the students' results folders (compared ignoring case).
OUTPUT_NAMES = {"grades.csv", "summary.png", "class_report.html", "canvas_grades.csv", "moodle_grades.csv"}


class AmbiguousStudents(ValueError):
    """Two entries of SUBMISSIONS would get one student id; nobody is graded."""


def looks_like(folder: Path) -> bool:
    return True  # the layout of last resort: any folder is one entry per student


def student_id(entry: Path) -> str:
    """The id from a folder's or file's name, made safe as a folder name and a spreadsheet cell.

    An id that is the name of one of grade-all's own outputs gets ``-student`` added:
    its results folder would otherwise be that file.
    """
    name = entry.name if entry.is_dir() and not entry.is_symlink() else entry.stem
    student = re.sub(r"[^\w.-]", "_", name).lstrip("-").strip(".") or "student"
    return f"{student}-student" if student.casefold() in OUTPUT_NAMES else student


def read(folder: Path, skip: Collection[Path] = frozenset()) -> tuple[list[Attempt], list[str]]:
    """One attempt per entry. Ids equal but for case (a folder ``ada`` and a file ``Ada.py``) are
    ambiguous too: on macOS and Windows they would share one results folder."""
    by_id: dict[str, list[Path]] = {}
    for entry in entries_of(folder):
        if entry not in skip:
            by_id.setdefault(student_id(entry), []).append(entry)
    clashes: dict[str, list[Path]] = {}
    for student, entries in by_id.items():
        clashes.setdefault(student.casefold(), []).extend(entries)
    clashes = {key: entries for key, entries in clashes.items() if len(entries) > 1}
    if clashes:
        named = "; ".join(
            f"{student_id(entries[0])} is both " + " and ".join(str(e) for e in entries) for entries in clashes.values()
        )
        raise AmbiguousStudents(
            plain_text(
                f"submissions share a student id: {named}; rename or remove one, then grade again (nobody was graded)"
            )
        )
    return [Attempt(student, "", ((entries[0], entries[0].name),)) for student, entries in by_id.items()], []
