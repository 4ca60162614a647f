"""``python -m autograder nbgrader-release`` and ``nbgrader-grade``: the notebook channel's commands.

    python -m autograder nbgrader-release ASSIGNMENT [--course DIR]   # course folder, then the student notebook
    python -m autograder nbgrader-grade ASSIGNMENT [--course DIR]     # grade submitted/*, feedback, grades.csv
    python -m autograder nbgrader-grade ASSIGNMENT --student alice    # regrade alice only (repeatable)

Both need nbgrader (the optional extra: ``pip install -e '.[nbgrader]'``).
nbgrader-grade grades each notebook's answers in the project's sandbox
(``grading.py``), then runs nbgrader's generate_feedback and export in the
course folder, with this interpreter's folder first on PATH (nbgrader calls
``alembic`` from there). No notebook runs in a Jupyter kernel.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from autograder.channels.notebook import UNUSED_SLOW_IMPORTS
from autograder.course import PROJECT_ROOT, get_assignment
from autograder.safe_text import plain

DEFAULT_COURSE = PROJECT_ROOT / "build" / "nbgrader"
# nbgrader's command line, as its `nbgrader` script starts it, less the imports it never uses
# (UNUSED_SLOW_IMPORTS: seconds of start-up per command): ``python -c NBGRADER_MAIN ARGS``.
NBGRADER_MAIN = (
    f"import sys; sys.modules.update(dict.fromkeys({UNUSED_SLOW_IMPORTS!r})); "
    "from nbgrader.apps.nbgraderapp import main; sys.exit(main())"
)
# Between two commands' arguments for NBGRADER_COMMANDS; no nbgrader command takes it.
THEN = "--autograder-then"
# Several nbgrader commands, one after another in one interpreter, so that nbgrader's start-up
# (about 1.5 s of CPU) is paid once: ``python -c NBGRADER_COMMANDS ARGS THEN ARGS ...``. Each
# runs as NBGRADER_MAIN runs it; the first that fails ends the run, named on stderr.
NBGRADER_COMMANDS = f"""\
import sys
sys.modules.update(dict.fromkeys({UNUSED_SLOW_IMPORTS!r}))
from nbgrader.apps.nbgraderapp import NbGraderApp
commands = [[]]
for argument in sys.argv[1:]:
    commands.append([]) if argument == {THEN!r} else commands[-1].append(argument)
for command in commands:
    try:
        NbGraderApp.launch_instance(argv=command)
    except SystemExit as stopped:
        if stopped.code:
            print(f"autograder: nbgrader {{' '.join(command)}} failed (exit {{stopped.code}})", file=sys.stderr)
            sys.exit(1)
"""


class NbgraderFailed(Exception):
    """nbgrader is missing or one of its commands failed; the message says which, in one line."""


def add_parser(commands) -> None:
    for name, run, summary in (
        ("nbgrader-release", run_release, "write the nbgrader course folder and release the assignment's notebook"),
        ("nbgrader-grade", run_grade, "grade submitted/* in the sandbox, write feedback and grades.csv"),
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
        if run is run_grade:
            parser.add_argument(
                "--student",
                action="append",
                metavar="NAME",
                help="grade only this student's folder of submitted/ (repeatable); the others' grades stay",
            )


def run_release(args) -> int:
    from autograder.channels.notebook.course_folder import write_course_folder  # noqa: PLC0415 - needs nbformat

    assignment = get_assignment(args.assignment)
    notebook = write_course_folder(assignment, args.course)
    print(f"wrote {notebook}")
    return _nbgrader(args.course, ["generate_assignment", assignment.id, "--force"])


def run_grade(args) -> int:
    assignment = get_assignment(args.assignment)
    students = getattr(args, "student", None)
    _nbgrader_present(args.course)
    from autograder.channels.notebook.grading import (  # noqa: PLC0415 - needs nbgrader
        CourseNotReady,
        UnknownStudent,
        grade_class,
    )
    from autograder.grade import GraderBroken  # noqa: PLC0415 - imports NumPy and pytest

    try:
        rows = grade_class(args.course, assignment, students)
    except (CourseNotReady, UnknownStudent) as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    except GraderBroken as error:
        # As `grade` does: a check that fails by its own error gives no grade at all, so no
        # student loses its points to it.
        print(
            f"autograder: {error}\nfix it (`python -m autograder grade {assignment.id}` on the reference shows "
            "where), then run nbgrader-grade again; no feedback and no grades.csv were written",
            file=sys.stderr,
        )
        return 1
    for row in rows:
        for note in row.notes:
            print(f"autograder: {plain(row.student)}: {plain(note)}", file=sys.stderr)
    status = _nbgrader(
        args.course, *_feedback_and_export(assignment.id, [row.student for row in rows] if students else None)
    )
    if status:
        return status
    print(f"graded {len(rows)} notebook(s) in the sandbox; grades: {args.course / 'grades.csv'}")
    return 0


def _feedback_and_export(assignment_id: str, students: list[str] | None) -> list[list[str]]:
    """nbgrader's commands after grading: feedback for the class in one pass (or for each of ``students``:
    nbgrader's --student takes one id, as a file pattern), then grades.csv of the whole class."""
    feedback = ["generate_feedback", assignment_id, "--force"]
    each = [[*feedback, f"--student={glob.escape(student)}"] for student in students] if students else [feedback]
    return [*each, ["export", "--to", "grades.csv"]]


def _nbgrader_present(course: Path) -> None:
    # Found, not imported: importing nbgrader costs a second, and nbgrader-release never uses it here.
    if importlib.util.find_spec("nbgrader") is None:
        raise NbgraderFailed("nbgrader is not installed: pip install -e '.[nbgrader]'")
    if not (course / "nbgrader_config.py").is_file():
        raise NbgraderFailed(f"{course} is not an nbgrader course folder; run nbgrader-release first")


def _nbgrader(course: Path, *commands: list[str]) -> int:
    """Run nbgrader commands in the course folder, in turn, in one interpreter; their output goes to ours.

    The first that fails ends the run, and one line says which it was.
    """
    _nbgrader_present(course)
    path = os.pathsep.join(p for p in (str(Path(sys.executable).parent), os.environ.get("PATH")) if p)
    if len(commands) == 1:
        run = [NBGRADER_MAIN, *commands[0]]
    else:  # NBGRADER_COMMANDS names the one that failed itself
        run = [NBGRADER_COMMANDS, *[argument for command in commands for argument in [THEN, *command]][1:]]
    done = subprocess.run([sys.executable, "-c", *run], cwd=course, env={**os.environ, "PATH": path}, check=False)
    if done.returncode and len(commands) == 1:
        print(f"autograder: nbgrader {' '.join(commands[0])} failed (exit {done.returncode})", file=sys.stderr)
    return 1 if done.returncode else 0
