"""``python -m autograder nbgrader-release`` and ``nbgrader-grade``: the notebook channel's commands.

    python -m autograder nbgrader-release ASSIGNMENT [--course DIR]   # course folder, then the student notebook
    python -m autograder nbgrader-grade ASSIGNMENT [--course DIR]     # autograde submitted/*, feedback, grades.csv

Both run nbgrader (the optional extra: ``pip install -e '.[nbgrader]'``) in the
course folder, with this interpreter's folder first on PATH so that its
kernels import this grader.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from autograder.course import PROJECT_ROOT, get_assignment

DEFAULT_COURSE = PROJECT_ROOT / "build" / "nbgrader"


class NbgraderFailed(Exception):
    """nbgrader is missing or one of its commands failed; the message says which, in one line."""


def add_parser(commands) -> None:
    for name, run, summary in (
        ("nbgrader-release", run_release, "write the nbgrader course folder and release the assignment's notebook"),
        ("nbgrader-grade", run_grade, "autograde the course folder's submitted/*, write feedback and grades.csv"),
    ):
        parser = commands.add_parser(name, help=summary)
        parser.add_argument("assignment", help="assignment id (course.toml)")
        parser.add_argument(
            "--course",
            type=Path,
            default=DEFAULT_COURSE,
            help=f"the nbgrader course folder (default: {DEFAULT_COURSE.relative_to(PROJECT_ROOT)})",
        )
        parser.set_defaults(run=run)


def run_release(args) -> int:
    from autograder.channels.notebook.course_folder import write_course_folder  # noqa: PLC0415 - needs nbformat

    assignment = get_assignment(args.assignment)
    notebook = write_course_folder(assignment, args.course)
    print(f"wrote {notebook}")
    return _nbgrader(args.course, ["generate_assignment", assignment.id, "--force"])


def run_grade(args) -> int:
    assignment = get_assignment(args.assignment)
    status = _nbgrader(args.course, ["autograde", assignment.id, "--create", "--force"])
    if status:
        return status
    broken = broken_checks(args.course, assignment.id)
    if broken:
        # As `grade` does: a check that fails by its own error gives no grade at all, so no
        # student loses its points to it.
        names = "\n".join(f"  {name} (in {count} notebook{'s' if count > 1 else ''})" for name, count in broken.items())
        print(
            f"autograder: {len(broken)} hidden check(s) failed by an error of their own, not the students':\n"
            f"{names}\nfix them (`python -m autograder grade {assignment.id}` on the reference shows where), "
            "then run nbgrader-grade again; no feedback and no grades.csv were written",
            file=sys.stderr,
        )
        return 1
    for command in (["generate_feedback", assignment.id, "--force"], ["export", "--to", "grades.csv"]):
        status = _nbgrader(args.course, command)
        if status:
            return status
    print(f"grades: {args.course / 'grades.csv'}")
    return 0


def broken_checks(course: Path, assignment_id: str) -> dict[str, int]:
    """The hidden checks that reported themselves broken in the autograded notebooks, with how many notebooks."""
    from autograder.channels.notebook.hidden import BROKEN_CHECK  # noqa: PLC0415 - imports NumPy and the grader

    found: Counter = Counter()
    for notebook in sorted((course / "autograded").glob(f"*/{assignment_id}/*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        seen = set()
        for output in (o for cell in cells for o in cell.get("outputs", [])):
            if output.get("name") != "stderr":
                continue
            text = output.get("text", "")
            for line in ("".join(text) if isinstance(text, list) else str(text)).splitlines():
                if line.startswith(f"{BROKEN_CHECK}: "):
                    seen.add(line.removeprefix(f"{BROKEN_CHECK}: "))
        found.update(seen)
    return dict(found)


def _nbgrader(course: Path, command: list[str]) -> int:
    """Run one nbgrader command in the course folder; its output goes to ours, its failure is one line."""
    try:
        import nbgrader  # noqa: F401, PLC0415 - only to say clearly that the extra is missing
    except ImportError:
        raise NbgraderFailed("nbgrader is not installed: pip install -e '.[nbgrader]'") from None
    if not (course / "nbgrader_config.py").is_file():
        raise NbgraderFailed(f"{course} is not an nbgrader course folder; run nbgrader-release first")
    path = os.pathsep.join(p for p in (str(Path(sys.executable).parent), os.environ.get("PATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *command], cwd=course, env={**os.environ, "PATH": path}, check=False
    )
    if done.returncode:
        print(f"autograder: nbgrader {' '.join(command)} failed (exit {done.returncode})", file=sys.stderr)
        return 1
    return 0
