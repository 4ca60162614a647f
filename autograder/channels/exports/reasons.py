"""A row's reason, in words a person understands, read from the grading's own results."""

from __future__ import annotations

import re

from autograder.results import GradeReport

# How the runner words a check stopped for time, or a worker that ended (autograder/sandbox/proxy.py).
OUT_OF_TIME = ("time limit", "used up the time", "was stopped after", "already ran past the time limit")
PROCESS_ENDED = ("process running your code was ended", "process running your code stopped itself")
NOT_IMPLEMENTED = "is not implemented yet"
PREFIX = re.compile(r"^0 points: ")


def row_reason(report: GradeReport, note: str = "") -> str:
    """The rejection (nothing graded, and why), else what stopped checks (time, a crash), and the renaming note."""
    output = report.output
    if note and output.startswith(note):
        output = output[len(note) :].lstrip()
    first = output.strip().splitlines()[0] if output.strip() else ""
    return "; ".join(part for part in (first or stopped_checks(report), note) if part)


def stopped_checks(report: GradeReport) -> str:
    """Which functions are not written yet, reached the time limit or ended their process, and what that cost."""
    timed: dict[str, int] = {}
    ended: dict[str, int] = {}
    missing: dict[str, int] = {}
    for test in report.tests:
        if test.passed:
            continue
        if any(words in test.output for words in OUT_OF_TIME):
            timed[test.task or test.name] = timed.get(test.task or test.name, 0) + 1
        elif any(words in test.output for words in PROCESS_ENDED):
            ended[test.task or test.name] = ended.get(test.task or test.name, 0) + 1
        elif NOT_IMPLEMENTED in test.output:
            missing[test.task or test.name] = missing.get(test.task or test.name, 0) + 1
    parts = []
    if missing:
        parts.append(f"not implemented yet: {_listed(missing)}")
    if timed:
        parts.append(f"time limit reached in {_listed(timed)}")
    if ended:
        parts.append(f"the code's process ended (crashed or exited) in {_listed(ended)}")
    return "; ".join(parts)


def _listed(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"{', '.join(counts)} ({total} check{'s' if total != 1 else ''} not passed)"
