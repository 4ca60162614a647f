"""One student's grade written where nbgrader keeps it: the gradebook, and the autograded notebook.

    record(course, settings, assignment, student, graded)

The scores come from ``grade.grade_submission`` (see ``grading.py``); this
module only stores them, through nbgrader's own ``Gradebook`` API, as its
autograde step would: each test cell's ``Grade.auto_score``, each answer cell's
``Comment.auto_comment``. A score an instructor set by hand
(``Grade.manual_score``) is kept, and the cell is marked for review, as
nbgrader marks it. The autograded notebook (``autograded/<student>/<id>/``)
is what ``nbgrader generate_feedback`` and the formgrader show: the released
cells, the student's answers, and under each test cell the check's name and
the grader's message.
"""

from __future__ import annotations

import copy
import re
import shutil
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.utils import parse_utc
from sqlalchemy.exc import SAWarning
from traitlets.config.loader import PyFileConfigLoader

from autograder.results import GradeReport
from autograder.safe_text import plain

# Messages are wrapped to this width: nbgrader's feedback shows outputs as preformatted text.
WRAP = 96
# Enough for every check's message; what student code printed is cut well before this.
MAX_MESSAGE_CHARS = 3000


@dataclass(frozen=True)
class Settings:
    """Where the course folder's gradebook is and which course it holds (from its nbgrader_config.py)."""

    db_url: str
    course_id: str

    @classmethod
    def of(cls, course: Path) -> Settings:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        directory = config.get("CourseDirectory", {})
        db_url = directory.get("db_url") or f"sqlite:///{(course / 'gradebook.db').resolve()}"
        return cls(db_url=db_url, course_id=directory.get("course_id") or "default_course")


@dataclass
class Graded:
    """What grading one student's notebook gave: a score per test cell, a comment per answer cell."""

    scores: dict[str, float]  # grade id -> points
    messages: dict[str, str]  # grade id -> what the feedback shows under the cell
    names: dict[str, str]  # grade id -> the check's name
    answers: dict[str, str | None]  # task -> the source graded as its answer
    comments: dict[str, str | None]  # task -> the comment on its answer cell
    notes: list[str]  # about the notebook as a whole
    timestamp: str | None = None


def record(course: Path, settings: Settings, assignment_id: str, notebook: str, student: str, graded: Graded) -> None:
    """Write the student's row of the gradebook and their autograded notebook."""
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        gradebook.update_or_create_student(student)
        timestamp = {"timestamp": graded.timestamp} if graded.timestamp else {}
        with warnings.catch_warnings():
            # nbgrader's add_submission links each new SubmittedNotebook and Grade to the
            # assignment before adding the whole tree to the session at once; SQLAlchemy 2
            # warns that the link waits for that add (it then happens: every row is there).
            warnings.filterwarnings("ignore", category=SAWarning, message=".* not in session")
            gradebook.update_or_create_submission(assignment_id, student, **timestamp)
        submitted = gradebook.find_submission_notebook(notebook, assignment_id, student)
        # The cells' names in one query: Grade.name and Comment.name would each load their cell.
        released = gradebook.find_notebook(notebook, assignment_id)
        cells = [*released.grade_cells, *released.solution_cells, *released.task_cells]
        names = {cell.id: cell.name for cell in cells}
        for grade in submitted.grades:
            grade.auto_score = graded.scores.get(names[grade.cell_id], 0.0)
            # As nbgrader's SaveAutoGrades: a score set by hand is kept, and flagged for a look.
            grade.needs_manual_grade = grade.manual_score is not None
        for comment in submitted.comments:
            comment.auto_comment = graded.comments.get(names[comment.cell_id])
        gradebook.db.commit()
    write_autograded(course, assignment_id, notebook, student, graded)


def write_autograded(course: Path, assignment_id: str, notebook: str, student: str, graded: Graded) -> Path:
    """The released notebook with the student's answers and the grader's verdicts, for nbgrader's feedback."""
    release = nbformat.read(str(course / "release" / assignment_id / f"{notebook}.ipynb"), as_version=4)
    cells = []
    if graded.notes:
        text = "\n".join(f"- {_markdown_text(note)}" for note in graded.notes)
        cells.append(nbformat.v4.new_markdown_cell(f"**How this notebook was graded**\n\n{text}"))
    for released in release.cells:
        cell = copy.deepcopy(released)
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            grade_id = meta.get("grade_id")
            if meta.get("solution") and grade_id in graded.answers:
                cell.source = graded.answers[grade_id] or cell.source
            elif meta.get("grade") and grade_id in graded.scores:
                cell.metadata["autograder"] = {"check": graded.names[grade_id]}
                cell.outputs = [_verdict(graded, grade_id, meta.get("points", 0))]
        cells.append(cell)
    release.cells = cells
    folder = course / "autograded" / student / assignment_id
    # An earlier grading's folders go: generate_feedback writes the new feedback (and
    # would warn about each old folder it replaces).
    for old in (folder, course / "feedback" / student / assignment_id):
        if old.exists():
            shutil.rmtree(old)
    folder.mkdir(parents=True)
    path = folder / f"{notebook}.ipynb"
    nbformat.write(release, str(path))
    if graded.timestamp:
        (folder / "timestamp.txt").write_text(graded.timestamp, encoding="utf-8")
    return path


def messages_of(report: GradeReport, names: dict[str, str]) -> tuple[dict[str, float], dict[str, str]]:
    """Each test cell's score and message, from the report of ``grade_submission`` (matched by check name)."""
    by_name = {test.name: test for test in report.tests}
    scores, messages = {}, {}
    for grade_id, name in names.items():
        test = by_name.get(name)
        scores[grade_id] = test.score if test else 0.0
        messages[grade_id] = test.output if test else "not graded: this check did not run"
    return scores, messages


def read_timestamp(folder: Path) -> str | None:
    """The submission's timestamp.txt, as nbgrader reads it; None when missing or not a time."""
    path = folder / "timestamp.txt"
    try:
        text = path.read_text(encoding="utf-8").strip()
        parse_utc(text)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, OverflowError):
        return None
    return text


def _verdict(graded: Graded, grade_id: str, points: float) -> nbformat.NotebookNode:
    name = graded.names[grade_id]
    score = graded.scores[grade_id]
    if score >= points:
        text = "\n".join(_wrapped(f"Passed ({points:g} point(s)): {name}"))
        return nbformat.v4.new_output("stream", name="stdout", text=text + "\n")
    message = plain(graded.messages.get(grade_id, "") or "failed")[:MAX_MESSAGE_CHARS]
    lines = [*_wrapped(f"Failed ({score:g} of {points:g} point(s)): {name}"), ""]
    for line in message.splitlines():
        lines += _wrapped(line)
    return nbformat.v4.new_output("stream", name="stderr", text="\n".join(lines) + "\n")


def _wrapped(line: str) -> list[str]:
    return textwrap.wrap(line, WRAP, subsequent_indent="    ", break_on_hyphens=False) or [""]


def _markdown_text(text: str) -> str:
    """A note as Markdown that renders as the same words: no markup, no HTML."""
    escaped = plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]()#+.!|~-])", r"\\\1", escaped)
