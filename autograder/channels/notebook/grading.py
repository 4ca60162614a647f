"""Grade every submitted notebook of an nbgrader course folder in the project's sandbox.

    grade_class(course, assignment) -> list[Row]
    grade_class(course, assignment, students=["alice"]) -> list[Row]   # regrade some students only

For each ``submitted/<student>/<id>/<id>.ipynb`` (or each of ``students``): its answers are cut out
(``extract.py``) into the assignment's module file, graded by
``grade.grade_submission`` exactly as ``make grade`` grades that file, and the
scores are written to nbgrader's gradebook and autograded folder
(``gradebook.py``). No student code runs in this process or in a Jupyter
kernel. A notebook that cannot be read, or whose answers cannot all be found,
gets its own row with the reason; the class goes on. Only the grader's own
failure (``grade.GraderBroken``: a broken check, a reference short of full
marks) stops it, since no student's grade could be trusted then.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.channels.notebook.checks import collect
from autograder.channels.notebook.extract import Answers, Released, extract_answers
from autograder.channels.notebook.gradebook import Graded, Settings, messages_of, read_timestamp, record
from autograder.course import Assignment
from autograder.grade import grade_submission
from autograder.safe_text import plain

# A notebook file larger than this is not read (the released one is about 120 kB).
MAX_NOTEBOOK_BYTES = 50 << 20


class CourseNotReady(ValueError):
    """The course folder was not released from this checkout's suites; the message says what to run."""


class UnknownStudent(ValueError):
    """A student asked for has no folder in ``submitted/``; the message names them."""


@dataclass
class Row:
    """One student's outcome, as nbgrader-grade reports it."""

    student: str
    score: float
    max_score: float
    notes: list[str]
    seconds: float


def grade_class(
    course: Path, assignment: Assignment, students: Collection[str] | None = None, progress=sys.stderr
) -> list[Row]:
    """Grade each student folder of ``submitted/`` (only ``students``, if given); the gradebook and
    ``autograded/`` get one entry per student graded, and every other student's entry stays as it was."""
    notebook = assignment.id
    release_path = course / "release" / assignment.id / f"{notebook}.ipynb"
    if not release_path.is_file():
        raise CourseNotReady(f"{release_path} is missing; run nbgrader-release first")
    release = nbformat.read(str(release_path), as_version=4)
    try:
        released = Released.from_notebook(release, assignment.task_names)
    except ValueError as error:
        raise CourseNotReady(str(error)) from None
    names = {check.grade_id: check.name for check in collect(assignment, "public") + collect(assignment, "hidden")}
    if set(names) != set(released.graded):
        raise CourseNotReady(
            "the released notebook's test cells are not this checkout's checks; run nbgrader-release again"
        )
    settings = Settings.of(course)
    students = chosen_students(course, students)
    rows = []
    for number, student in enumerate(students, start=1):
        started = time.perf_counter()
        folder = course / "submitted" / student / assignment.id
        answers = _answers_of(folder / f"{notebook}.ipynb", released)
        with tempfile.TemporaryDirectory(prefix="nbgrader-answers-") as scratch:
            module = Path(scratch) / assignment.filename
            module.write_text(answers.module, encoding="utf-8")
            report = grade_submission(assignment, module)
        scores, messages = messages_of(report, names)
        notes = list(answers.notes)
        if report.output:
            notes.append(report.output)
        graded = Graded(
            scores=scores,
            messages=messages,
            names=names,
            answers=answers.by_task,
            comments=_comments(answers),
            notes=notes,
            timestamp=read_timestamp(folder),
        )
        record(course, settings, assignment.id, notebook, student, graded)
        row = Row(student, report.score, report.max_score, notes, time.perf_counter() - started)
        rows.append(row)
        print(
            f"[{number}/{len(students)}] {plain(student)}: {row.score:g} / {row.max_score:g}"
            + (f" ({len(notes)} note(s))" if notes else ""),
            file=progress,
            flush=True,
        )
    return rows


def chosen_students(course: Path, wanted: Collection[str] | None = None) -> list[str]:
    """The students to grade, sorted: every folder of ``submitted/``, or those of ``wanted``.

    Raises UnknownStudent, before anything is graded, when one of ``wanted`` has no folder there.
    """
    submitted = course / "submitted"
    handed_in = sorted(p.name for p in submitted.glob("*") if p.is_dir() and not p.name.startswith("."))
    if wanted is None:
        return handed_in
    unknown = sorted(set(wanted) - set(handed_in))
    if unknown:
        names = ", ".join(repr(plain(name)) for name in unknown)
        raise UnknownStudent(f"no folder in {submitted} for student(s) {names}; nothing was graded")
    return sorted(set(wanted))


def _answers_of(path: Path, released: Released) -> Answers:
    """The student's answers, or none with the reason when the notebook is missing or too large."""
    try:
        size = path.stat().st_size if path.is_file() else None
    except OSError:
        size = None
    if size is None:
        reason = f"no {path.name} was handed in; nothing was graded"
    elif size > MAX_NOTEBOOK_BYTES:
        reason = f"{path.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB; it was not read"
    else:
        return extract_answers(path.read_bytes(), released)
    answers = extract_answers(b'{"cells": []}', released)
    answers.notes = [reason]
    return answers


def _comments(answers: Answers) -> dict[str, str | None]:
    comments: dict[str, str | None] = {}
    for task, source in answers.by_task.items():
        if source is None:
            comments[task] = "Not graded: see the notes at the top of this notebook."
        elif task in answers.unchanged:
            comments[task] = "No response."  # nbgrader's own words for an answer handed in as released
        else:
            comments[task] = None
    return comments
