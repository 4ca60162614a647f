"""``python -m autograder figures``: draw the forward process with a submission's own code.

Exit status: 0 when the figures were drawn or skipped for a reason in the
student's code; 2 with a one-line reason when nothing could start (no such
image or submission, unknown assignment).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from autograder.course import PROJECT_ROOT, UnknownAssignment, get_assignment
from autograder.figures.dial import Dial
from autograder.figures.images import MAX_SIDE, STARTER_IMAGE, ImageError, load_image
from autograder.grade import isolated_submission, load_reference
from autograder.locate import CannotGrade, locate_submission
from autograder.plugin import InProcess

DEFAULT_OUT = PROJECT_ROOT / "build" / "figures"
# The figures show the forward process, so they exist for the assignments that teach it.
SUPPORTED = ("ch01_forward",)


def add_command(commands) -> None:
    parser = commands.add_parser("figures", help="draw the forward process with your own functions")
    parser.add_argument("assignment", help="assignment id: ch01_forward")
    parser.add_argument(
        "--submission",
        type=Path,
        default=None,
        help="a forward.py, or a folder holding one (default: the working copy)",
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
        if assignment.id not in SUPPORTED:
            raise UnknownAssignment(f"figures exist for {', '.join(SUPPORTED)} only, not {assignment.id}")
        image = load_image(args.image)
        located = locate_submission(args.submission or assignment.folder, assignment.filename)
    except (ImageError, CannotGrade, UnknownAssignment) as error:
        message = error.args[0] if error.args else error
        print(f"autograder figures: {message}", file=sys.stderr)
        return 2
    if located.rejected:
        print(f"autograder figures: {located.rejected}", file=sys.stderr)
        return 2
    reference = None
    if args.compare:
        if assignment.solution is None or not assignment.solution.is_file():
            print(
                "autograder figures: --compare needs the reference solution, which this copy of the "
                "course does not have",
                file=sys.stderr,
            )
            return 2
        reference = Dial(InProcess(load_reference(assignment)), image)
    print(f"drawing {located.path} on {_shown(args.image)} ({image.shape[1]}x{image.shape[0]} px)")
    from autograder.figures.draw import draw_all  # noqa: PLC0415 - Matplotlib loads only for this command

    with isolated_submission(assignment, located) as student:
        outcomes = draw_all(Dial(student, image), args.out, reference)
        import_error = student.import_error
    for outcome in outcomes:
        if outcome.path is not None:
            note = f"  ({outcome.note})" if outcome.note else ""
            print(f"  {outcome.name:<11}{_shown(outcome.path)}{note}")
        else:
            print(f"  {outcome.name:<11}skipped: {outcome.skipped}")
    if import_error:
        print(f"\n{import_error}")
    return 0


def _shown(path: Path) -> str:
    """A path relative to the current folder when it is inside it (shorter to read and to click)."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return os.fspath(path)
