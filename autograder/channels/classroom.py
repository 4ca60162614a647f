"""GitHub Classroom: grade the public checks and hand the points to the grading reporter.

    python -m autograder classroom ASSIGNMENT

GitHub Classroom reads a student's points from the check run of the workflow job
``run-autograding-tests``; the ``classroom-resources/autograding-grading-reporter``
action writes them there. The reporter takes one result per "runner", each a
base64-encoded JSON object read from the environment variable
``<RUNNER>_RESULTS``:

    {"version": 1, "status": "pass" | "fail", "max_score": 4,
     "tests": [{"name": ..., "status": "pass" | "fail", "score": 2, "message": ...}]}

The reporter computes points twice, and differently (``src/console-results.js``,
``src/aggregate-results.js``, ``src/helpers/test-helpers.js``,
``src/notify-classroom.js``):
- the log ("Total points for R", the table and its total) gives a runner
  (tests with status ``pass`` / all its tests) x ``max_score``;
- the points Classroom records ("Points 30/52") are the tests' own ``score``
  summed, over the sum of ``max_score`` of the runners that have one.
The two agree for every outcome only when a runner holds one check: then the
fraction is 0 or 1 and both give that check's score, whatever the weights. So
this command writes **one runner per check**, named after its task
(``sometask3``: the third public check of ``some_task``), with the check's points as
``max_score``. (A check scored between 0 and its maximum, which no suite gives
today, is written as two runners, the points earned and the points lost, so that
the two sums still agree.) The log's numbers are JavaScript doubles: checks worth
whole points (or halves, quarters) add up exactly.

Failed checks: the reporter prints a ``message`` only for status ``error``; for a
failed check it prints a red cross and the ``name``. So a failed check's name
carries its reason on the lines below it, and the same reason for a later check
is told in one line. Every text that reaches the log passes through
``safe_text.workflow_log`` (no line of it is a workflow command), and the job
summary (``$GITHUB_STEP_SUMMARY``) shows student text only in fenced code
blocks (``safe_text.markdown``).

Where the results go: each ``<RUNNER>_RESULTS=<base64>`` to ``$GITHUB_ENV``, so
that the reporter's step has them in its environment, and the comma-separated
ids to the step output ``runners``, which the workflow hands to the reporter's
``runners`` input. The workflow thus names no check and stays right when the
suites change. What the reporter's ``src/main.js`` asks of its input:
- ids of letters and digits only: when anything goes wrong, other ids make it
  report "The runners input must be a comma-separated list of strings" instead
  of the real error;
- every runner named has a result, and a result holds at least one test (the
  reporter divides by their number): a submission no check could grade still
  gets one runner, with status ``error`` and the reason.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from autograder.course import Assignment, get_assignment
from autograder.grade import grade_submission
from autograder.results import GradeReport, TestResult, render_table, truncate
from autograder.safe_text import html, markdown, plain, workflow_log

MESSAGE_CHARS = 1000
# A failed check's reason in the reporter's log: this many characters, each line indented this much.
LOG_REASON_CHARS = 600
LOG_INDENT = "     "


def runner_id(task: str) -> str:
    """The reporter's name for a task: its letters and digits (``some_task`` -> ``sometask``)."""
    return re.sub(r"[^A-Za-z0-9]", "", task)


def colliding_runner_ids(tasks: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of tasks whose checks' runner ids could meet, in any case (``step`` + ``12`` is ``step1`` + ``2``)."""
    ids = {task: runner_id(task).lower() for task in tasks}
    return [
        (one, other)
        for one, other in itertools.combinations(ids, 2)
        if any(
            longer == shorter or (longer.startswith(shorter) and longer[len(shorter) :].isdigit())
            for shorter, longer in ((ids[one], ids[other]), (ids[other], ids[one]))
        )
    ]


def runner_results(report: GradeReport, assignment: Assignment) -> dict[str, dict[str, Any]]:
    """One reporter result per check, in the manifest's order of tasks, each named by its task and number."""
    runners: dict[str, dict[str, Any]] = {}
    told: set[str] = set()
    order = {task: i for i, task in enumerate(assignment.task_names)}
    tests = sorted(report.tests, key=lambda t: order.get(t.task, len(order)))
    numbers: dict[str, int] = {}
    for test in tests:
        number = numbers[test.task] = numbers.get(test.task, 0) + 1
        name = f"{runner_id(test.task)}{number}"
        reason = "" if test.passed else _reason_in_the_log(test, told)
        if test.passed or test.score <= 0:
            runners[name] = _one_check(test, test.score, test.max_score, reason)
        else:  # partly earned: what was earned and what was lost, each a whole runner
            runners[name] = _one_check(test, test.score, test.score, "")
            runners[f"{name}rest"] = _one_check(test, 0, test.max_score - test.score, reason)
    if not runners:
        runners[runner_id(assignment.id)] = _not_graded(assignment, report)
    return runners


def _one_check(test: TestResult, score: float, max_score: float, reason: str) -> dict[str, Any]:
    """A runner of one test: passed when it has every point of its ``max_score``."""
    status = "pass" if score >= max_score else "fail"
    name = f"{test.name} ({score:g}/{max_score:g})"
    return {
        "version": 1,
        "status": status,
        "max_score": max_score,
        "tests": [
            {
                "name": workflow_log(" ".join(name.split("\n")) + (f"\n{reason}" if reason else "")),
                "status": status,
                "score": score,
                "message": workflow_log(truncate(plain(test.output), MESSAGE_CHARS)) if reason else "",
                "test_code": "",
                "filename": "",
                "line_no": 0,
                "duration": 0,
            }
        ],
    }


def _reason_in_the_log(test: TestResult, told: set[str]) -> str:
    """Why a check failed, indented under its red cross; a reason told before is told in its first line."""
    reason = plain(test.output).strip() or "failed"
    first = reason.splitlines()[0]
    if reason in told:
        text = f"{truncate(first, 200)} (as above)"
    else:
        told.add(reason)
        text = truncate(reason, LOG_REASON_CHARS)
    return "\n".join(LOG_INDENT + line for line in workflow_log(text).splitlines())


def _not_graded(assignment: Assignment, report: GradeReport) -> dict[str, Any]:
    """A submission no check graded: one errored test saying why (the reporter needs a test)."""
    reason = plain(report.output) or f"no public check of {assignment.id} ran"
    test = {
        "name": f"{assignment.id}: not graded",
        "status": "error",
        "score": 0,
        "message": workflow_log(truncate(reason, MESSAGE_CHARS)),
    }
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
        title = html(" ".join(test.name.split()))  # one line: a blank line would end the HTML block
        lines += [
            f"<details open><summary>{title} ({test.score:g} / {test.max_score:g})</summary>",
            "",
            markdown(truncate(test.output, MESSAGE_CHARS) or "failed"),
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def encode(result: dict[str, Any]) -> str:
    """The reporter's wire format: JSON, then base64 (one line, safe for $GITHUB_ENV)."""
    return base64.b64encode(json.dumps(result).encode("utf-8")).decode("ascii")


def write_environment(runners: dict[str, dict[str, Any]], path: Path) -> None:
    """Append ``<RUNNER>_RESULTS=<base64>`` lines to the job's environment file, as GitHub Actions reads it."""
    with open(path, "a", encoding="utf-8") as out:
        for name, result in runners.items():
            out.write(f"{name.upper()}_RESULTS={encode(result)}\n")


def write_step_outputs(runners: dict[str, dict[str, Any]], path: Path) -> None:
    """Append the step output ``runners`` (the ids, comma-separated) for the reporter's ``runners`` input."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"runners={','.join(runners)}\n")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        help="where to append the step output `runners` (default: $GITHUB_OUTPUT, else none)",
    )
    parser.add_argument(
        "--env",
        type=Path,
        default=None,
        help="where to append each runner's results for the reporter (default: $GITHUB_ENV, else print them)",
    )
    parser.set_defaults(run=run_classroom)


def run_classroom(args: argparse.Namespace) -> int:
    assignment = get_assignment(args.assignment)
    report = grade_submission(assignment, args.submission or assignment.folder, suites=("public",))
    # This step's log is a job log too: the table quotes the student's errors and prints.
    print(workflow_log(render_table(report, assignment.task_names)))
    runners = runner_results(report, assignment)
    summary = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(step_summary(report, assignment))
    output = args.output or os.environ.get("GITHUB_OUTPUT")
    if output:
        write_step_outputs(runners, Path(output))
    environment = args.env or os.environ.get("GITHUB_ENV")
    if environment:
        write_environment(runners, Path(environment))
    else:
        json.dump(runners, sys.stdout, indent=2)
        print()
    return 0
