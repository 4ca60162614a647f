"""The command line: ``python -m autograder COMMAND ...``.

Exit status: 0 whenever a grade was produced (also 0 points); 2 with a one-line
reason when nothing could be graded (no such file, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import hints, watch
from autograder.channels import batch, classroom, gradescope, release
from autograder.course import PROJECT_ROOT, UnknownAssignment, get_assignment, load_course
from autograder.figures import command as figures_command
from autograder.grade import SUITES, GraderBroken, grade_submission
from autograder.locate import CannotGrade
from autograder.results import destination, render_table, write_results
from autograder.safe_text import plain, tolerant_streams
from autograder.stubs import write_stub

DEFAULT_RESULTS = PROJECT_ROOT / "build" / "results.json"


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    tolerant_streams()
    try:
        return args.run(args)
    except (CannotGrade, UnknownAssignment, GraderBroken, FileNotFoundError, ValueError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        # The message may name a student's file.
        print(f"autograder: cannot grade: {plain(message)}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submission")
    grade.add_argument("assignment", help="assignment id, e.g. ch01_forward")
    grade.add_argument(
        "--submission",
        type=Path,
        default=None,
        help="a forward.py, or a folder holding exactly one (default: the working copy)",
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
    for module in (release, gradescope, batch, classroom):
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
        print(
            f"to see what your code does to a picture: python -m autograder figures {assignment.id}"
            f"{'' if args.submission is None else f' --submission {args.submission}'}  (or: make figures)"
        )
    return 0


def run_stubs(args) -> int:
    for assignment in load_course().values():
        changed = write_stub(assignment)
        state = "written" if changed else "up to date"
        print(f"{assignment.folder / assignment.filename}: {state}")
    return 0
