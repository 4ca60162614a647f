"""The command line: ``python -m autograder COMMAND ...``.

Exit status: 0 whenever a grade was produced (also 0 points); 1 when the
grader itself failed (a check's own error, a suite that does not import, a
reference short of full marks: the instructor's problem, named in full); 2
with a one-line reason when nothing could be graded (no such file, bad
arguments, a manifest that does not hold together).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder import hints, watch
from autograder.channels import batch, classroom, gradescope, release
from autograder.channels.notebook import command as notebook_command
from autograder.course import (
    PROJECT_ROOT,
    CourseError,
    UnknownAssignment,
    get_assignment,
    load_course,
    make_command,
)
from autograder.figures import command as figures_command
from autograder.figures import readme_images
from autograder.grade import SUITES, GraderBroken, grade_submission
from autograder.locate import CannotGrade
from autograder.results import destination, render_table, write_results
from autograder.safe_text import plain, tolerant_streams
from autograder.stubs import write_stub

DEFAULT_RESULTS = PROJECT_ROOT / "build" / "results.json"
# Nothing could start: one line on stderr, exit 2.
USAGE_ERRORS = (
    UnknownAssignment,
    CourseError,
    notebook_command.NbgraderFailed,
    FileNotFoundError,
    ValueError,
)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    tolerant_streams()
    try:
        code = args.run(args)
        sys.stdout.flush()  # here, not at exit: a reader that left is seen below
        return code
    except BrokenPipeError:
        # Whoever read the output stopped (`... | head`): what was written to files stands,
        # and the rest of the output goes nowhere rather than into a traceback at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CannotGrade as error:
        # The message may name a student's file.
        print(f"autograder: cannot grade: {plain(error)}", file=sys.stderr)
        return 2
    except USAGE_ERRORS as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"autograder: {plain(message)}", file=sys.stderr)
        return 2
    except GraderBroken as error:
        print(f"autograder: the grader itself failed, not the student's code: {error}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submission")
    grade.add_argument("assignment", help="assignment id (course.toml)")
    grade.add_argument(
        "--submission",
        type=Path,
        default=None,
        help="the student's file of the assignment, or a folder holding exactly one (default: the working copy)",
    )
    grade.add_argument(
        "--results",
        type=Path,
        default=DEFAULT_RESULTS,
        help=f"where to write results.json (default: {DEFAULT_RESULTS.relative_to(PROJECT_ROOT)})",
    )
    grade.add_argument(
        "--suites",
        default=",".join(SUITES),
        help="which suites to run: public, hidden, or both (default: public,hidden)",
    )
    grade.add_argument("--quiet", action="store_true", help="print only the score line")
    grade.set_defaults(run=run_grade)

    stubs = commands.add_parser("stubs", help="regenerate the student stubs from the solutions")
    stubs.set_defaults(run=run_stubs)

    figures_command.add_command(commands)
    hints.add_command(commands)
    watch.add_command(commands)
    readme_images.add_command(commands)
    for module in (release, gradescope, batch, classroom, notebook_command):
        module.add_parser(commands)
    return parser


def run_grade(args) -> int:
    assignment = get_assignment(args.assignment)
    submission = args.submission or assignment.folder
    suites = tuple(s.strip() for s in args.suites.split(",") if s.strip())
    destination(args.results)  # a path results can never go to (a block device) stops here, before grading
    report = grade_submission(assignment, submission, suites=suites)
    write_results(report, args.results)
    table = render_table(report, assignment.task_names)
    print(table.splitlines()[0] if args.quiet else table)
    print(f"\nresults: {args.results}")
    if report.score < report.max_score and assignment.figures is not None and not args.quiet:
        # A picture of one's own noising often shows the mistake faster than numbers do.
        chosen = args.submission is not None and Path(args.submission).resolve() != assignment.folder.resolve()
        command = make_command("figures", assignment, SUBMISSION=args.submission if chosen else None)
        print(f"to see what your code does to a picture: {command}")
    return 0


def run_stubs(args) -> int:
    for assignment in load_course().values():
        for path, changed in write_stub(assignment).items():
            print(f"{path}: {'written' if changed else 'up to date'}")
    return 0
