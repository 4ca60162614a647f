"""GitHub Classroom: grade the public checks and hand the points to the grading reporter.

    python -m autograder classroom ASSIGNMENT

GitHub Classroom reads a student's points from the check run of the workflow job
``run-autograding-tests``; the ``classroom-resources/autograding-grading-reporter``
action writes them there. The reporter takes one result per "runner", each a
base64-encoded JSON object read from the environment variable
``<RUNNER>_RESULTS``:

    {"version": 1, "status": "pass" | "fail", "max_score": 4,
     "tests": [{"name": ..., "status": "pass" | "fail", "score": 2, "message": ...}]}

Classroom's points are the sum of the tests' ``score`` over the sum of the runners'
``max_score``. This command grades once with the course's engine and writes one
runner per task (``<task>=<base64>``) to ``$GITHUB_OUTPUT``, so each check
counts its own points (the stock command grader gives all or nothing per command).
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path

from autograder.course import Assignment, get_assignment
from autograder.grade import grade_submission
from autograder.results import GradeReport, render_table, truncate

MESSAGE_CHARS = 1000


def runner_results(report: GradeReport, assignment: Assignment) -> dict[str, dict]:
    """One reporter result per task, in the manifest's order, named by the task."""
    runners = {}
    for task in assignment.task_names:
        tests = [t for t in report.tests if t.task == task]
        if not tests:
            continue
        runners[task] = {
            "version": 1,
            "status": "pass" if all(t.passed for t in tests) else "fail",
            "max_score": sum(t.max_score for t in tests),
            "tests": [
                {
                    "name": t.name,
                    "status": "pass" if t.passed else "fail",
                    "score": t.score,
                    "message": "" if t.passed else truncate(t.output, MESSAGE_CHARS),
                    "test_code": "",
                    "filename": "",
                    "line_no": 0,
                    "duration": 0,
                }
                for t in tests
            ],
        }
    return runners


def encode(result: dict) -> str:
    """The reporter's wire format: JSON, then base64 (one line, safe for $GITHUB_OUTPUT)."""
    return base64.b64encode(json.dumps(result).encode("utf-8")).decode("ascii")


def write_step_outputs(runners: dict[str, dict], path: Path) -> None:
    """Append ``name=value`` lines to the step's output file, as GitHub Actions reads them."""
    with open(path, "a", encoding="utf-8") as out:
        for name, result in runners.items():
            out.write(f"{name}={encode(result)}\n")


def add_parser(commands) -> None:
    parser = commands.add_parser("classroom", help="grade the public checks for GitHub Classroom's reporter")
    parser.add_argument("assignment", help="assignment id (course.toml)")
    parser.add_argument(
        "--submission",
        type=Path,
        default=None,
        help="the student's file of the assignment, or a folder holding one (default: the assignment's folder)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to append the step outputs (default: $GITHUB_OUTPUT, else print them)",
    )
    parser.set_defaults(run=run_classroom)


def run_classroom(args) -> int:
    assignment = get_assignment(args.assignment)
    report = grade_submission(assignment, args.submission or assignment.folder, suites=("public",))
    print(render_table(report, assignment.task_names))
    runners = runner_results(report, assignment)
    output = args.output or os.environ.get("GITHUB_OUTPUT")
    if output:
        write_step_outputs(runners, Path(output))
    else:
        json.dump(runners, sys.stdout, indent=2)
        print()
    return 0
