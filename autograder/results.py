"""Where a grade is written: results.json (Gradescope's schema) and the terminal table."""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autograder.safe_text import json_tree, plain

MAX_OUTPUT_CHARS = 4000
MAX_RESULTS_BYTES = 1 << 20
# How long results wait for a reader of a FIFO named by --results.
FIFO_READER_SECONDS = 30


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
    metadata: dict[str, Any] = field(default_factory=dict)
    # The uid student code ran as (None: the grader's own); not written to results.json,
    # since which free uid a grading gets depends on what else runs at the time.
    sandbox_uid: int | None = None

    @property
    def score(self) -> float:
        return round(sum(test.score for test in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(test.max_score for test in self.tests), 6)

    def to_json(self) -> dict[str, Any]:
        tests = []
        for test in self.tests:
            entry = asdict(test)
            entry.pop("task")
            entry["output"] = truncate(plain(entry["output"]))
            tests.append(entry)
        # Student text (outputs, file names in the metadata) made plain; the file is ASCII.
        tree: dict[str, Any] = json_tree(
            {
                "score": self.score,
                "max_score": self.max_score,
                "output": truncate(plain(self.output)),
                "visibility": "visible",
                "stdout_visibility": "hidden",
                "tests": tests,
                "extra_data": self.metadata,
            }
        )
        return tree


def truncate(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Cut long text in the middle, saying how much was left out."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... [{len(text) - limit} characters cut] ...\n{text[-half:]}"


class ResultsNotWritten(ValueError):
    """The results path names something results cannot be written to (a block device, a socket)."""


def write_results(report: GradeReport, path: Path) -> None:
    """Write results.json where ``path`` says, never harming what is there.

    A missing path or a regular file is replaced atomically (a reader never sees
    half a file), a folder in the way is moved aside. A FIFO or a character
    device (``/dev/null``, ``/dev/stdout``) is written through, never replaced:
    replacing ``/dev/null`` by a regular file breaks every program on the
    machine. A link is followed only when it belongs to the grader's user or to
    root; any other entry at the path (planted by student code in a folder it
    may write) is replaced, never followed or written through.
    """
    text = results_text(report)
    how, where = destination(Path(path))
    if how == "through":
        _write_through(where, text)
    else:
        _replace(where, text)


def results_text(report: GradeReport) -> str:
    """results.json's text: plain student text, cut until the whole fits MAX_RESULTS_BYTES."""
    data = report.to_json()
    text = json.dumps(data, indent=2, allow_nan=False)
    limit = 1000
    while len(text.encode()) > MAX_RESULTS_BYTES and limit > 50:
        limit //= 2
        for test in data["tests"]:
            test["output"] = truncate(test["output"], limit)
        data["output"] = truncate(data["output"], limit)
        text = json.dumps(data, indent=2, allow_nan=False)
    return text + "\n"


def destination(path: Path) -> tuple[str, Path]:
    """How results go to ``path``: ``("replace", file)`` or ``("through", path)``; raises ResultsNotWritten.

    Called before grading too, so that a path results can never go to stops the
    grader before it starts.
    """
    try:
        seen = os.lstat(path)
    except OSError:
        return "replace", path  # missing (or a parent is): created
    if not _trusted(seen):
        # Planted (a link to follow, a FIFO to hang the grader on): replaced by the results.
        return "replace", path
    if stat.S_ISLNK(seen.st_mode):
        return _through_link(path)
    return _by_kind(path, seen)


def _through_link(path: Path) -> tuple[str, Path]:
    """Where the grader's own link leads: the file it names is replaced, a device or FIFO written through."""
    try:
        seen = os.stat(path)
    except FileNotFoundError:
        real = Path(os.path.realpath(path))
        return "replace", real if real.parent.is_dir() else path  # the file the link names is created
    except OSError:
        return "replace", path  # a loop of links
    if stat.S_ISREG(seen.st_mode):
        real = Path(os.path.realpath(path))
        # A link into /proc (/dev/stdout redirected to a file) has no name to replace: written through.
        return ("replace", real) if real.is_file() else ("through", path)
    return _by_kind(path, seen)


def _by_kind(path: Path, seen: os.stat_result) -> tuple[str, Path]:
    kind = stat.S_IFMT(seen.st_mode)
    if kind in (stat.S_IFREG, stat.S_IFDIR):
        return "replace", path
    if kind in (stat.S_IFIFO, stat.S_IFCHR):
        return "through", path
    what = {stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}.get(kind, "not a file")
    raise ResultsNotWritten(f"results cannot be written to {path}: it is {what}; give a file name")


def _trusted(seen: os.stat_result) -> bool:
    """An entry made by the grader's own user or by root (student code runs as neither)."""
    return seen.st_uid in (0, os.geteuid())


def _write_through(path: Path, text: str) -> None:
    """Write into an existing FIFO or device, as ``cat > path`` would, without replacing it.

    A FIFO nobody reads gets FIFO_READER_SECONDS for a reader to come, not forever.
    """
    deadline = time.monotonic() + FIFO_READER_SECONDS
    while True:
        try:
            handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
            break
        except OSError as error:
            if error.errno != errno.ENXIO or time.monotonic() > deadline:
                raise ResultsNotWritten(f"results cannot be written to {path}: {error.strerror}") from None
            time.sleep(0.1)
    try:
        os.set_blocking(handle, True)
        data = text.encode("utf-8")
        while data:
            data = data[os.write(handle, data) :]
    finally:
        os.close(handle)


def _replace(path: Path, text: str) -> None:
    """Write ``path`` atomically: a temporary file in its folder, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        # A folder where the file belongs (planted, or left by mistake) is moved
        # aside, not deleted: the results file always gets written.
        os.rename(path, path.with_name(f"{path.name}.not-results-{secrets.token_hex(4)}"))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        # rename(2) replaces the name itself: a link planted there is replaced, never followed.
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_table(report: GradeReport, tasks: list[str]) -> str:
    """A per-task summary, then each failed check with its feedback, safe to print to a terminal."""
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
        return plain("\n".join([*lines, "", report.output]))
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
            lines += [f"      {line}" for line in truncate(plain(mine[0].output), 1200).splitlines()]
    # Student text (its errors, what it printed) reaches the terminal without control codes.
    return plain("\n".join(lines))


def _cause(output: str) -> str:
    """What makes two failures the same: their text, or being stopped for time (however worded)."""
    if "time limit" in output or output.startswith("not run:") or "used up the time" in output:
        return "time"
    return output
