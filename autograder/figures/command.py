"""``python -m autograder figures``: draw an assignment's figures with a submission's own code.

The figures are the assignment's own, in the file its course.toml entry names
(``figures = ...``; see ``tools.py`` for what that file defines). Exit status:
0 when the figures were drawn or skipped for a reason in the student's code,
or when the assignment declares none (one line says so); 2 with a one-line
reason when nothing could start (no such image or submission, unknown
assignment).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from autograder.course import PROJECT_ROOT, UnknownAssignment, get_assignment
from autograder.figures.declared import load_figures
from autograder.figures.images import MAX_SIDE, STARTER_IMAGE, ImageError, load_image
from autograder.figures.tools import draw_each
from autograder.grade import isolated_submission, load_reference
from autograder.locate import CannotGrade, locate_submission
from autograder.plugin import InProcess
from autograder.safe_text import plain

DEFAULT_OUT = PROJECT_ROOT / "build" / "figures"


def add_command(commands) -> None:
    parser = commands.add_parser("figures", help="draw the assignment's figures with your own functions")
    parser.add_argument("assignment", help="assignment id (course.toml)")
    parser.add_argument(
        "--submission",
        type=Path,
        default=None,
        help="your file of the assignment, or a folder holding it (default: the working copy)",
    )
    parser.add_argument(
        "--image",
        type=Path,
        default=STARTER_IMAGE,
        help=f"a PNG or JPEG of any size, shrunk to at most {MAX_SIDE} px a side (default: {_shown(STARTER_IMAGE)})",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for the figures (default: {_shown(DEFAULT_OUT)})"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also save your strip above the reference's (needs the reference solution)",
    )
    parser.set_defaults(run=run_figures)


def run_figures(args) -> int:
    try:
        assignment = get_assignment(args.assignment)
        declared = load_figures(assignment)
        if declared is None:
            print(f"{assignment.id} declares no figures (course.toml has no `figures` for it): nothing to draw")
            return 0
        image = load_image(args.image)
        located = locate_submission(args.submission or assignment.folder, assignment.filename)
    except (ImageError, CannotGrade, UnknownAssignment) as error:
        message = error.args[0] if error.args else error
        print(f"autograder figures: {message}", file=sys.stderr)
        return 2
    if located.rejected:
        print(f"autograder figures: {plain(located.rejected)}", file=sys.stderr)
        return 2
    reference = None
    if args.compare:
        module = load_reference(assignment)
        if module is None:  # no reference file in this copy of the course
            print(
                "autograder figures: --compare needs the reference solution, which this copy of the "
                "course does not have",
                file=sys.stderr,
            )
            return 2
        reference = InProcess(module)
    print(f"drawing {located.path} on {_shown(args.image)} ({image.shape[1]}x{image.shape[0]} px)")
    with isolated_submission(assignment, located) as student:
        outcomes = draw_each(declared.figures(student, image, reference), args.out)
        import_error = student.import_error
    for outcome in outcomes:
        if outcome.path is not None:
            note = f"  ({outcome.note})" if outcome.note else ""
            print(f"  {outcome.name:<11}{_shown(outcome.path)}{note}")
        else:
            print(f"  {outcome.name:<11}skipped: {plain(outcome.skipped)}")  # the student's error
    if import_error:
        print(f"\n{plain(import_error)}")
    return 0


def _shown(path: Path) -> str:
    """A path relative to the current folder when it is inside it (shorter to read and to click)."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return os.fspath(path)
