"""Grades back out: grades.csv, Canvas's gradebook import CSV, Moodle's grading worksheet, and the roster read in.

The platform files are written in UTF-8 with a byte order mark: spreadsheet
programs (Excel above all) read a CSV without one in the machine's legacy
encoding and garble accented names, and both platforms' importers skip the mark.
Every text cell goes through ``csv_cell`` (no formula a spreadsheet would run).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from autograder.channels.exports.rows import Row
from autograder.safe_text import csv_cell

PLATFORM_ENCODING = "utf-8-sig"
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "    Points Possible"
MOODLE_COLUMNS = [
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
]
CANVAS_ASSIGNMENT = re.compile(r"^.+ \(\d+\)$")
MOODLE_PARTICIPANT = re.compile(r"^Participant (\d+)$")


class RosterRefused(ValueError):
    """The roster cannot be read, or names none of the students in the export."""


@dataclass
class RosterEntry:
    key: str
    name: str = ""
    cells: dict[str, str] = field(default_factory=dict)  # the roster's own columns, as given


@dataclass
class Roster:
    platform: str  # canvas, moodle or plain
    entries: dict[str, RosterEntry]


def read_roster(path: Path) -> Roster:
    """A Canvas gradebook export, a Moodle grading worksheet, or a CSV with ``id`` (and ``name``) columns."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise RosterRefused(f"--roster {path} cannot be read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # what Excel writes as "CSV" on Windows
    rows = list(csv.DictReader(text.splitlines()))
    header = set(rows[0]) if rows else set()
    if {"Student", "ID"} <= header:
        entries = {
            row["ID"].strip(): RosterEntry(row["ID"].strip(), row["Student"].strip(), row)
            for row in rows
            if row["ID"] and row["ID"].strip() and row["Student"].strip() != CANVAS_POINTS_ROW.strip()
        }
        return Roster("canvas", entries)
    if {"Identifier", "Full name"} <= header:
        entries = {}
        for row in rows:
            match = MOODLE_PARTICIPANT.match(row["Identifier"].strip())
            if match:
                entries[match[1]] = RosterEntry(match[1], row["Full name"].strip(), row)
        return Roster("moodle", entries)
    lowered = {name.lower().strip(): name for name in header}
    column = lowered.get("id") or lowered.get("student")
    if column is None:
        raise RosterRefused(
            f"--roster {path} is neither a Canvas gradebook export (Student, ID, ...), a Moodle grading worksheet "
            f"(Identifier, Full name, ...) nor a CSV with an id column"
        )
    name = lowered.get("name")
    entries = {
        row[column].strip(): RosterEntry(row[column].strip(), (row.get(name) or "").strip() if name else "", row)
        for row in rows
        if row[column] and row[column].strip()
    }
    return Roster("plain", entries)


def write_grades_csv(rows: list[Row], tasks: list[str], path: Path, top: float, *bases: Path) -> None:
    """grades.csv: one row per student, scores per task, the status with its reason, what was graded,
    then who the student is and their attempts (counted one, how many, late, every graded score)."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "student",
                "score",
                "max_score",
                *tasks,
                "status",
                "reason",
                "submission",
                "graded",
                "name",
                "attempts",
                "graded_attempt",
                "late",
                "attempt_scores",
            ]
        )
        for row in rows:
            report = row.report
            scores = {task: sum(t.score for t in report.tests if t.task == task) for task in tasks}
            entry = row.entry
            writer.writerow(
                [
                    csv_cell(row.student.folder),
                    f"{report.score:g}",
                    f"{top:g}",
                    *(f"{scores[t]:g}" for t in tasks),
                    row.status,
                    csv_cell(row.reason),
                    csv_cell(_relative(entry, *bases) + ("/" if entry is not None and entry.is_dir() else "")),
                    csv_cell(_relative(report.metadata.get("submission"), *bases)),
                    csv_cell(row.student.name),
                    len(row.student.attempts),
                    row.counted or "",
                    _yes_no(row.late),
                    ";".join(f"{number}:{score:g}" for number, score in sorted(row.scores.items())),
                ]
            )


def write_canvas(rows: list[Row], roster: Roster | None, column: str, top: float, path: Path) -> None:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then the assignment's column
    (named "<title> (<assignment id>)" to fill an existing one; any other name makes a new assignment)."""
    with open(path, "w", newline="", encoding=PLATFORM_ENCODING) as out:
        writer = csv.writer(out)
        writer.writerow([*CANVAS_COLUMNS, column])
        writer.writerow([CANVAS_POINTS_ROW, "", "", "", "", f"{top:g}"])
        for row in rows:
            known = roster.entries.get(row.student.key) if roster and roster.platform == "canvas" else None
            cells = known.cells if known else {}
            writer.writerow(
                [
                    csv_cell(cells.get("Student") or row.student.name),
                    csv_cell(row.student.key),
                    *(csv_cell(cells.get(name, "")) for name in CANVAS_COLUMNS[2:]),
                    f"{row.report.score:g}",
                ]
            )


def write_moodle(rows: list[Row], roster: Roster | None, top: float, path: Path) -> None:
    """Moodle's offline grading worksheet, as "Download grading worksheet" writes it, for "Upload grading worksheet":
    rows match by Identifier ("Participant <id>"); Grade is the points, Feedback comments the reason."""
    with open(path, "w", newline="", encoding=PLATFORM_ENCODING) as out:
        writer = csv.writer(out)
        writer.writerow(MOODLE_COLUMNS)
        for row in rows:
            known = roster.entries.get(row.student.key) if roster and roster.platform == "moodle" else None
            cells = known.cells if known else {}
            submitted = "No submission" if row.status == "no submission" else "Submitted for grading"
            writer.writerow(
                [
                    f"Participant {row.student.key}",
                    csv_cell(cells.get("Full name") or row.student.name),
                    csv_cell(cells.get("Email address", "")),
                    cells.get("Status") or submitted,
                    f"{row.report.score:.2f}",
                    f"{top:.2f}",
                    cells.get("Grade can be changed") or "Yes",
                    _platform_cell(cells.get("Last modified (submission)", "")),
                    _platform_cell(cells.get("Last modified (grade)", "")),
                    csv_cell(row.reason),
                ]
            )


def _platform_cell(value: str) -> str:
    """A cell copied from the platform's own file: Moodle's "-" (never modified) stays as Moodle wrote it."""
    return value if value == "-" else csv_cell(value)


def assignment_columns(roster: Roster) -> list[str]:
    """The assignment columns of a Canvas gradebook export ("<title> (<assignment id>)")."""
    header = next(iter(roster.entries.values())).cells if roster.entries else {}
    return [name for name in header if CANVAS_ASSIGNMENT.match(name or "")]


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else ("yes" if flag else "no")


def _relative(path: str | PathLike[str] | None, *folders: Path) -> str:
    """``path`` relative to the first of ``folders`` it lies inside (also through links); "" for None."""
    if path is None:
        return ""
    for folder in folders:
        for inside, base in ((Path(path), Path(folder)), (_resolved(path), _resolved(folder))):
            if inside.is_relative_to(base):
                return str(inside.relative_to(base))
    return str(path)


def _resolved(path: str | PathLike[str]) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path).absolute()
