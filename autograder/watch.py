"""``python -m autograder watch``: regrade the working copy every time it is saved.

One grader process stays up for the whole session, so NumPy, pytest, the
reference and its remembered answers are loaded once; each save still gets a
fresh isolated worker, exactly as ``grade`` does (``grade_submission`` is the
only path). The table is redrawn in place on a terminal, and appended with a
separator line anywhere else (a pipe, a log). Ctrl-C ends it with status 0.

File events come from ``watchfiles`` (native notifications, polling only where
the platform has none): editors that save by writing a new file and renaming it
over the old one are seen as a change too.
"""

from __future__ import annotations

import sys
import time
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


def watch(assignment: Assignment, submission: Path, *, results=None, out=None, stop_event=None) -> int:
    """Grade now, then again after every save of the submission, until ``stop_event`` is set.

    Returns how many gradings were drawn.
    """
    out = out or sys.stdout
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


def _draw(assignment: Assignment, submission: Path, results, out, wanted: str, reason: str) -> None:
    started = time.perf_counter()
    try:
        report = grade_submission(assignment, submission)
    except Exception as error:  # noqa: BLE001 - a file caught half-written must not end the watch
        text = plain(f"could not grade {wanted}: {type(error).__name__}: {error}")
    else:
        if results is not None:
            write_results(report, results)
        text = render_table(report, assignment.task_names)
    seconds = time.perf_counter() - started
    head = CLEAR if _is_terminal(out) else "\n" + "-" * 72 + "\n"
    stamp = time.strftime("%H:%M:%S")
    out.write(
        f"{head}{text}\n\n[{stamp}] {wanted} {reason}, graded in {seconds:.2f} s. "
        f"Watching for the next save; Ctrl-C stops.\n"
    )
    out.flush()


def _is_terminal(out) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
