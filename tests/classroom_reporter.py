"""What GitHub Classroom's grading reporter prints and records, for a workflow's runners and environment.

A model of classroom-resources/autograding-grading-reporter, written from reading its
source (``src/main.js``, ``src/console-results.js``, ``src/aggregate-results.js``,
``src/helpers/test-helpers.js``, ``src/notify-classroom.js``), with JavaScript's
arithmetic where it matters:

- input: the ``runners`` input split at commas; each runner's result is base64 JSON
  in ``<RUNNER TRIMMED AND UPPER-CASED>_RESULTS``; a missing one ends the run with an
  error (Node's ``Buffer.from(undefined)`` throws);
- the log, per runner: its name, one line per test (a pass: a tick and the name; an
  error: ``Error:`` and the message; anything else: a cross and the name; ``test_code``
  after it), then, when ``max_score`` is not 0, ``Total points for R: S/M`` where S is
  (tests whose status is ``pass`` / all tests) x ``max_score``, printed with
  ``toFixed(2)``; a row of rockets before every runner but the first;
- the table: each runner's S and M as JavaScript prints numbers, and their sums
  (added left to right from 0) on the ``Total:`` row; then the tests passed of all;
- what Classroom records: the ``score`` of every test of the runners whose
  ``max_score`` is not 0, added left to right, over those runners' ``max_score``,
  as the notice ``Points T/M`` (none when M is 0);
- the step fails ("Some tests failed.") when a runner's status is ``fail``, else
  ("Some tests errored.") when one is ``error``.
"""

from __future__ import annotations

import base64
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

RED, GREEN, CYAN, MAGENTA, RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[35m", "\x1b[0m"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# What the Actions runner obeys (actions/runner, ActionCommand.TryParseV2 and TryParse): a line that
# starts with "::" once .NET's TrimStart has removed its blanks, or that holds "##[" anywhere. The
# runner ends lines at CR, LF and CR LF; this also ends them at every other break a reader might honour.
ANY_LINE_BREAK = re.compile("\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
DOTNET_BLANKS = "\t\n\x0b\x0c\r\x85" + "".join(
    chr(c) for c in range(0x3000 + 1) if unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp")
)
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad"


def runner_obeys(text: str) -> list[str]:
    """The lines of ``text`` the runner would read as workflow commands (in the widest reading)."""
    return [
        line
        for line in ANY_LINE_BREAK.split(text)
        if line.lstrip(DOTNET_BLANKS + INVISIBLE).startswith("::") or "##[" in line
    ]


class ReporterFailed(Exception):
    """The reporter ends with this message (core.setFailed) before printing any points."""


@dataclass
class ReporterRun:
    """Everything the reporter printed or recorded for one workflow run."""

    output: str = ""  # stdout as written, colours included
    runner_points: dict[str, tuple[str, str]] = field(default_factory=dict)  # "Total points for R: S/M"
    table: list[tuple[str, str, str]] = field(default_factory=list)  # rows, the "Total: " row last
    tests_passed: tuple[int, int] = (0, 0)
    recorded: str | None = None  # the notice Classroom reads: "Points T/M"
    recorded_json: dict | None = None
    failed: str | None = None

    @property
    def log(self) -> list[str]:
        """The output's lines without colours, as a reader of the job log sees them."""
        return ANSI.sub("", self.output).split("\n")


def js_number(value: float) -> str:
    """``String(value)`` in JavaScript, for the numbers a reporter prints."""
    if math.isnan(value):
        return "NaN"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    assert 1e-6 <= abs(value) < 1e21, value  # where Python's repr and JavaScript's agree
    return repr(value)


def js_to_fixed(value: float, digits: int) -> str:
    """``value.toFixed(digits)``: the exact double's nearest, a tie going up (10.625 -> "10.63")."""
    if math.isnan(value):
        return "NaN"
    assert value >= 0, value
    scaled = (Decimal(value) * 10**digits + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR)
    whole, part = divmod(int(scaled), 10**digits)
    return f"{whole}.{part:0{digits}d}" if digits else str(whole)


def read_runners(runners: str, environment: dict[str, str]) -> list[tuple[str, dict]]:
    """The reporter's input: each runner named in ``runners`` with its decoded result."""
    found = []
    for runner in runners.split(","):
        encoded = environment.get(f"{runner.strip().upper()}_RESULTS")
        if encoded is None:
            pattern = re.compile(r"^([a-zA-Z0-9]+,)*[a-zA-Z0-9]+$")
            if not pattern.match(runners):
                raise ReporterFailed("The runners input must be a comma-separated list of strings.")
            raise ReporterFailed(f"no {runner.strip().upper()}_RESULTS")
        found.append((runner, json.loads(base64.b64decode(encoded).decode("utf-8"))))
    return found


def run_reporter(runners: str, environment: dict[str, str]) -> ReporterRun:
    """What the reporter prints and records for this input."""
    run = ReporterRun()
    try:
        results = read_runners(runners, environment)
    except ReporterFailed as failure:
        run.failed = str(failure)
        return run
    out = _console(run, results) + _table(run, results) + _notify(run, results)
    if any(result["status"] == "fail" for _, result in results):
        run.failed = "Some tests failed."
    elif any(result["status"] == "error" for _, result in results):
        run.failed = "Some tests errored."
    run.output = "\n".join(out) + "\n"
    return run


def _console(run: ReporterRun, results: list[tuple[str, dict]]) -> list[str]:
    """console-results.js: each runner, its tests, and its points."""
    out: list[str] = []
    for index, (runner, result) in enumerate(results):
        maximum, score = _points(result)
        if index > 0:
            out.append(f"{MAGENTA}{'🚀' * 24}{RESET}\n")
        out.append(f"🔄 Processing: {runner}")
        for test in result["tests"]:
            out.append(_test_line(test))
            if test.get("test_code"):
                out.append(f"Test code:\n{test['test_code']}\n")
        if maximum != 0:
            run.runner_points[runner] = (js_to_fixed(score, 2), js_number(maximum))
            out.append(f"Total points for {runner}: {js_to_fixed(score, 2)}/{js_number(maximum)}\n")
    return out


def _test_line(test: dict) -> str:
    line = f" - line {test['line_no']}" if test["line_no"] != 0 else ""
    if test["status"] == "pass":
        return f"{GREEN}✅ {test['name']}{line}{RESET}"
    if test["status"] == "error":
        message = test.get("message") or "Failed to run test '" + test["name"] + "'"
        return f"Error: {message}\n{RESET}"
    return f"{RED}❌ {test['name']}{line}{RESET}"


def _table(run: ReporterRun, results: list[tuple[str, dict]]) -> list[str]:
    """aggregate-results.js: a row per runner and the totals, then the tests passed of all."""
    scores = maxima = 0.0
    for runner, result in results:
        maximum, score = _points(result)
        run.table.append((runner.strip(), js_number(score), js_number(maximum)))
        scores, maxima = scores + score, maxima + maximum
    run.table.append(("Total: ", js_number(scores), js_number(maxima)))
    passed = sum(test["status"] == "pass" for _, result in results for test in result["tests"])
    run.tests_passed = (passed, sum(len(result["tests"]) for _, result in results))
    return [
        f"{MAGENTA}Test runner summary{MAGENTA}",
        *(" | ".join(row) for row in run.table),
        f"{CYAN}🏆 Grand total tests passed: {run.tests_passed[0]}/{run.tests_passed[1]}{RESET}\n",
    ]


def _notify(run: ReporterRun, results: list[tuple[str, dict]]) -> list[str]:
    """notify-classroom.js: the points Classroom records, as a notice."""
    total = top = 0.0
    for _, result in results:
        if result["max_score"]:
            top += result["max_score"]
            for test in result["tests"]:
                total += test["score"]
    if not top:
        return []
    run.recorded = f"Points {js_number(total)}/{js_number(top)}"
    run.recorded_json = {"totalPoints": total, "maxPoints": top}
    return [f"::notice title=Autograding complete::{run.recorded}"]


def _points(result: dict) -> tuple[float, float]:
    """A runner's ``max_score`` and the points the log gives it: (tests passed / tests) x max_score."""
    maximum = result["max_score"] or 0
    tests = result["tests"]
    passed = sum(test["status"] == "pass" for test in tests)
    score = passed / len(tests) * maximum if tests else math.nan
    return maximum, score
