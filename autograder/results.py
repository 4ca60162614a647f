"""Where a grade is written: results.json (Gradescope's schema) and the terminal table."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_OUTPUT_CHARS = 4000
MAX_RESULTS_BYTES = 1 << 20


@dataclass
class TestResult:
    """One graded check: Gradescope's test entry."""

    name: str
    score: float
    max_score: float
    output: str = ""
    visibility: str = "visible"
    task: str = ""

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass
class GradeReport:
    """Everything one grading produced: the tests, a summary, and how to reproduce it."""

    assignment: str
    tests: list[TestResult]
    output: str = ""
    metadata: dict = field(default_factory=dict)
    # The uid student code ran as (None: the grader's own); not written to results.json,
    # since which free uid a grading gets depends on what else runs at the time.
    sandbox_uid: int | None = None

    @property
    def score(self) -> float:
        return round(sum(test.score for test in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(test.max_score for test in self.tests), 6)

    def to_json(self) -> dict:
        tests = []
        for test in self.tests:
            entry = asdict(test)
            entry.pop("task")
            entry["output"] = truncate(entry["output"])
            tests.append(entry)
        return {
            "score": self.score,
            "max_score": self.max_score,
            "output": truncate(self.output),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": tests,
            "extra_data": self.metadata,
        }


def truncate(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Cut long text in the middle, saying how much was left out."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... [{len(text) - limit} characters cut] ...\n{text[-half:]}"


def write_results(report: GradeReport, path: Path) -> None:
    """Write results.json atomically, replacing whatever was there (links included)."""
    data = report.to_json()
    text = json.dumps(data, indent=2, allow_nan=False)
    limit = 1000
    while len(text.encode()) > MAX_RESULTS_BYTES and limit > 50:
        limit //= 2
        for test in data["tests"]:
            test["output"] = truncate(test["output"], limit)
        data["output"] = truncate(data["output"], limit)
        text = json.dumps(data, indent=2, allow_nan=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        # A folder where the file belongs (planted, or left by mistake) is moved
        # aside, not deleted: the results file always gets written.
        os.rename(path, path.with_name(f"{path.name}.not-results-{secrets.token_hex(4)}"))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        # rename(2) replaces the name itself: a link planted there is replaced, never followed.
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_table(report: GradeReport, tasks: list[str]) -> str:
    """A per-task summary, then each failed check with its feedback."""
    lines = [f"{report.assignment}: {report.score:g} / {report.max_score:g} points", ""]
    width = max([len(t) for t in tasks] + [4])
    lines.append(f"  {'task'.ljust(width)}  {'points':>9}  checks passed")
    for task in tasks + sorted({t.task for t in report.tests} - set(tasks)):
        mine = [t for t in report.tests if t.task == task]
        if not mine:
            continue
        got = sum(t.score for t in mine)
        top = sum(t.max_score for t in mine)
        passed = sum(t.passed for t in mine)
        mark = "ok" if passed == len(mine) else "  "
        lines.append(f"  {task.ljust(width)}  {got:>4g} / {top:<3g} {passed:>3} of {len(mine):<3} {mark}")
    if report.output:
        return "\n".join([*lines, "", report.output])
    failed = [t for t in report.tests if not t.passed]
    if failed:
        lines += ["", "What to fix:"]
    order = {task: i for i, task in enumerate(tasks)}
    for task in sorted(dict.fromkeys(t.task for t in failed), key=lambda task: order.get(task, len(order))):
        # One cause for several checks (not implemented, time-outs, the same wrong value) is told once,
        # with the checks it failed, so nothing is hidden behind a count.
        groups: dict[str, list[TestResult]] = {}
        for test in (t for t in failed if t.task == task):
            groups.setdefault(_cause(test.output), []).append(test)
        for mine in groups.values():
            if len(mine) == 1:
                test = mine[0]
                lines.append(f"  x {test.name}  ({test.score:g}/{test.max_score:g})")
            else:
                lost = sum(t.max_score - t.score for t in mine)
                lines.append(f"  x {task}: {len(mine)} checks fail the same way (-{lost:g} points):")
                lines += [f"      - {t.name.removeprefix(task + ': ')}" for t in mine]
            lines += [f"      {line}" for line in truncate(mine[0].output, 1200).splitlines()]
    return "\n".join(lines)


def _cause(output: str) -> str:
    """What makes two failures the same: their text, or being stopped for time (however worded)."""
    if "time limit" in output or output.startswith("not run:") or "used up the time" in output:
        return "time"
    return output
