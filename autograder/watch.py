"""``python -m autograder watch``: regrade the working copy every time it is saved.

One grader process stays up for the whole session, so NumPy, pytest, the
reference and its remembered answers are loaded once; each save still gets a
fresh isolated worker, exactly as ``grade`` does (``grade_submission`` is the
only path). The table is redrawn in place on a terminal, and appended with a
separator line anywhere else (a pipe, a log). Ctrl-C ends it with status 0.

A save is answered at once: the screen is cleared and says that the save is
being graded (with the seconds spent, on a terminal), so an old score is never
on screen while a new one is computed, however long the student's code takes.
On a terminal the drawing fits the window: the score line and the table come
first and always stay in view; the list of what to fix is cut to the lines
left, with how many more there are (``make grade`` prints them all).

File events come from ``watchfiles`` (native notifications, polling only where
the platform has none): editors that save by writing a new file and renaming it
over the old one are seen as a change too.
"""

from __future__ import annotations

import math
import shutil
import sys
import threading
import time
import unicodedata
from pathlib import Path

from autograder.course import Assignment, get_assignment
from autograder.grade import grade_submission
from autograder.results import render_table, write_results
from autograder.safe_text import plain

# Editors often write a file in several steps; wait this long for them to settle.
DEBOUNCE_MS = 50
CLEAR = "\x1b[H\x1b[2J"


def add_command(commands) -> None:
    parser = commands.add_parser("watch", help="regrade your working copy every time you save it (Ctrl-C stops)")
    parser.add_argument("assignment", help="assignment id (see course.toml)")
    parser.add_argument(
        "--submission", type=Path, default=None, help="the file or folder to watch (default: the working copy)"
    )
    parser.add_argument("--results", type=Path, default=None, help="also write results.json here after each grade")
    parser.set_defaults(run=run_watch)


def run_watch(args) -> int:
    assignment = get_assignment(args.assignment)
    submission = Path(args.submission or assignment.folder)
    if not submission.exists():
        print(f"autograder watch: no such file or folder: {submission}", file=sys.stderr)
        return 2
    try:
        watch(assignment, submission, results=args.results)
    except KeyboardInterrupt:
        print("\nstopped watching")
    return 0


def watch(assignment: Assignment, submission: Path, *, results=None, out=None, stop_event=None, size=None) -> int:
    """Grade now, then again after every save of the submission, until ``stop_event`` is set.

    ``size`` is the terminal's (columns, lines), read from it when not given.
    Returns how many gradings were drawn.
    """
    out = _Screen(out or sys.stdout, size)
    folder = submission if submission.is_dir() else submission.parent
    wanted = assignment.filename if submission.is_dir() else submission.name
    drawn = 0
    _draw(assignment, submission, results, out, wanted, reason="started")
    drawn += 1
    import watchfiles  # noqa: PLC0415 - only watch needs it; `grade` starts faster without it

    for changes in watchfiles.watch(
        folder,
        watch_filter=lambda _change, path: Path(path).name == wanted,
        debounce=DEBOUNCE_MS,
        step=10,
        stop_event=stop_event,
        recursive=submission.is_dir(),
        raise_interrupt=True,
    ):
        if changes:
            _draw(assignment, submission, results, out, wanted, reason="saved")
            drawn += 1
    return drawn


def _draw(assignment: Assignment, submission: Path, results, out: _Screen, wanted: str, reason: str) -> None:
    started = time.perf_counter()
    stamp = time.strftime("%H:%M:%S")
    with _Announced(out, f"[{stamp}] {wanted} {reason}: grading it now"):
        try:
            report = grade_submission(assignment, submission)
        except Exception as error:  # noqa: BLE001 - a file caught half-written must not end the watch
            text = plain(f"could not grade {wanted}: {type(error).__name__}: {error}")
        else:
            if results is not None:
                write_results(report, results)
            text = render_table(report, assignment.task_names)
    seconds = time.perf_counter() - started
    status = f"[{stamp}] {wanted} {reason}, graded in {seconds:.2f} s. Watching for the next save; Ctrl-C stops."
    if out.terminal:
        out.write(CLEAR + fit_to_screen(text, status, out.size()) + "\n")
    else:
        out.write(f"\n{'-' * 72}\n{text}\n\n{status}\n")


class _Screen:
    """Where watch draws: a terminal (redrawn in place, fitted to its size) or anything else (appended)."""

    def __init__(self, out, size=None):
        self.out, self._size, self.lock = out, size, threading.Lock()
        try:
            self.terminal = bool(out.isatty())
        except (AttributeError, ValueError):
            self.terminal = False

    def size(self) -> tuple[int, int]:
        if self._size is not None:
            return self._size
        columns, lines = shutil.get_terminal_size()
        return columns, lines

    def write(self, text: str) -> None:
        with self.lock:
            self.out.write(text)
            self.out.flush()


class _Announced:
    """While grading runs: the screen says so at once, and on a terminal counts the seconds."""

    def __init__(self, out: _Screen, message: str):
        self.out, self.message, self.done = out, message, threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self):
        if self.out.terminal:
            self.out.write(f"{CLEAR}{self.message} ...")
            self.ticker.start()
        else:
            self.out.write(f"{self.message} ...\n")
        return self

    def _tick(self) -> None:
        started = time.monotonic()
        while not self.done.wait(1.0):
            self.out.write(f"\r{self.message} ... {time.monotonic() - started:.0f} s")

    def __exit__(self, *_exc):
        self.done.set()
        if self.ticker.is_alive():
            self.ticker.join()


def fit_to_screen(text: str, status: str, size: tuple[int, int]) -> str:
    """``text`` then ``status``, in at most ``lines - 1`` rows of ``columns``: the score line and the table
    (up to the first blank line after them) are kept whole; what follows is cut, saying how much more there is."""
    columns, lines = max(size[0], 20), max(size[1], 4)
    rows = lines - 1  # the cursor's row after the last line
    body = text.split("\n")
    table_end = next((i for i, line in enumerate(body) if i > 1 and not line.strip()), len(body))
    head, rest = body[:table_end], body[table_end:]
    budget = rows - _rows(status, columns)
    kept: list[str] = []
    for line in head:
        if sum(_rows(k, columns) for k in kept) + _rows(line, columns) > budget:
            break
        kept.append(line)
    if len(kept) < len(head):  # a window too small for the table: the table's top and the status
        return "\n".join([*kept, status])
    used = sum(_rows(k, columns) for k in kept)
    if used + sum(_rows(line, columns) for line in rest) <= budget:
        return "\n".join([*kept, *rest, status])
    shown: list[str] = []
    for line in rest:
        note = _more(len(rest) - len(shown))
        if used + _rows(line, columns) + _rows(note, columns) > budget:
            break
        shown.append(line)
        used += _rows(line, columns)
    return "\n".join([*kept, *shown, _more(len(rest) - len(shown)), status])


def _more(count: int) -> str:
    return f"... {count} more line{'s' if count > 1 else ''} of feedback: make grade prints them all"


def _rows(line: str, columns: int) -> int:
    """How many rows of the terminal ``line`` takes (wide characters count twice)."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line.expandtabs(8))
    return max(1, math.ceil(width / columns))
