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
runner per task (``<runner id>=<base64>``) to ``$GITHUB_OUTPUT``, so each check
counts its own points (the stock command grader gives all or nothing per command).

What the reporter's source (``src/main.js``) asks of its input, and so of this:
- runner ids are the ``runners`` input split at commas; a result is read from
  ``<ID in upper case>_RESULTS``; when anything goes wrong, ids other than
  letters and digits make it report "The runners input must be a
  comma-separated list of strings" instead of the real error. So an id is the
  task's name without its underscores (``addnoise``).
- every runner named must have a result, and a result must hold at least one
  test (the reporter divides by their number): a task without checks still
  gets a result, one test with status ``error`` and the reason.
- the reporter prints a test's ``message`` only for status ``error``: the
  messages of failed checks go to the job summary (``$GITHUB_STEP_SUMMARY``),
  where the run's page shows them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from pathlib import Path

from autograder.course import Assignment, get_assignment
from autograder.grade import grade_submission
from autograder.results import GradeReport, render_table, truncate
from autograder.safe_text import html, markdown, plain

MESSAGE_CHARS = 1000


def runner_id(task: str) -> str:
    """The reporter's name for a task's runner: its letters and digits (``some_task`` -> ``sometask``)."""
    return re.sub(r"[^A-Za-z0-9]", "", task)


def runner_results(report: GradeReport, assignment: Assignment) -> dict[str, dict]:
    """One reporter result per task, in the manifest's order, named by the task's runner id."""
    runners = {}
    for task in assignment.task_names:
        tests = [t for t in report.tests if t.task == task]
        if not tests:
            runners[runner_id(task)] = _not_graded(task, report)
            continue
        runners[runner_id(task)] = {
            "version": 1,
            "status": "pass" if all(t.passed for t in tests) else "fail",
            "max_score": sum(t.max_score for t in tests),
            "tests": [
                {
                    "name": t.name,
                    "status": "pass" if t.passed else "fail",
                    "score": t.score,
                    "message": "" if t.passed else truncate(plain(t.output), MESSAGE_CHARS),
                    "test_code": "",
                    "filename": "",
                    "line_no": 0,
                    "duration": 0,
                }
                for t in tests
            ],
        }
    return runners


def _not_graded(task: str, report: GradeReport) -> dict:
    """A task no check graded (the submission could not be graded at all): one errored test saying why."""
    reason = plain(report.output) or f"no check of {task} ran"
    test = {"name": f"{task}: not graded", "status": "error", "score": 0, "message": truncate(reason, MESSAGE_CHARS)}
    return {
        "version": 1,
        "status": "error",
        "max_score": 0,
        "tests": [{**test, "test_code": "", "filename": "", "line_no": 0, "duration": 0}],
    }


def step_summary(report: GradeReport, assignment: Assignment) -> str:
    """Markdown for the run's page: the points per task, then every failed check with its message."""
    lines = [
        f"## {assignment.title}: {report.score:g} / {report.max_score:g} points (public checks)",
        "",
        "| task | points | checks passed |",
        "| --- | --- | --- |",
    ]
    for task in assignment.task_names:
        mine = [t for t in report.tests if t.task == task]
        got, top = sum(t.score for t in mine), sum(t.max_score for t in mine)
        lines.append(f"| `{task}` | {got:g} / {top:g} | {sum(t.passed for t in mine)} of {len(mine)} |")
    if report.output:
        lines += ["", markdown(report.output)]
    failed = [t for t in report.tests if not t.passed]
    if failed:
        lines += ["", "### What to fix", ""]
    elif report.tests:
        lines += ["", "Every public check passes. The final grade also has hidden checks of the same functions."]
    for test in failed:
        lines += [
            f"<details open><summary>{html(test.name)} ({test.score:g} / {test.max_score:g})</summary>",
            "",
            markdown(truncate(test.output, MESSAGE_CHARS) or "failed"),
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


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
        "--summary",
        type=Path,
        default=None,
        help="where to append the Markdown summary (default: $GITHUB_STEP_SUMMARY, else none)",
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
    summary = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(step_summary(report, assignment))
    output = args.output or os.environ.get("GITHUB_OUTPUT")
    if output:
        write_step_outputs(runners, Path(output))
    else:
        json.dump(runners, sys.stdout, indent=2)
        print()
    return 0
