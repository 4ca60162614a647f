"""The pictures in an assignment's README, drawn from the reference: ``make readme-images``.

    python -m autograder readme-images ASSIGNMENT

Draws the figures the assignment's figures file names in ``README_FIGURES``
with the reference solution on the 64 px starter image (the size the exercises
use, which also keeps noisy pictures small), into ``<assignment folder>/images/``.
The files are committed, so students see them without running anything.
"""

from __future__ import annotations

from pathlib import Path

from autograder.course import CourseError, get_assignment
from autograder.figures.declared import load_figures
from autograder.figures.images import STARTER_IMAGES, load_image
from autograder.figures.tools import FigureSkipped
from autograder.grade import load_reference
from autograder.plugin import InProcess

README_IMAGE = STARTER_IMAGES / "sky_sun_ground.png"


def write_readme_images(assignment_id: str, out: Path | None = None) -> list[Path]:
    """Draw the README's figures with the reference; return the paths written."""
    assignment = get_assignment(assignment_id)
    declared = load_figures(assignment)
    names = getattr(declared, "README_FIGURES", ())
    if declared is None or not names:
        return []
    out = out or assignment.folder / "images"
    out.mkdir(parents=True, exist_ok=True)
    reference = load_reference(assignment) if assignment.solution and assignment.solution.is_file() else None
    if reference is None:
        raise CourseError(f"readme-images: no reference solution for {assignment.id} in this copy of the course")
    builders = dict(declared.figures(InProcess(reference), load_image(README_IMAGE)))
    written = []
    for name in names:
        try:
            written.append(builders[name](out))
        except FigureSkipped as reason:  # the reference itself cannot draw it: the course is wrong
            raise CourseError(f"readme-images: {assignment.id}: the reference cannot draw {name}: {reason}") from None
    return written


def add_command(commands) -> None:
    parser = commands.add_parser("readme-images", help="redraw an assignment's README pictures from the reference")
    parser.add_argument("assignment", help="assignment id (course.toml)")
    parser.set_defaults(run=run_readme_images)


def run_readme_images(args) -> int:
    paths = write_readme_images(args.assignment)
    if not paths:
        print(f"{args.assignment} declares no README figures: nothing to draw")
    for path in paths:
        print(f"{path}: {path.stat().st_size // 1024} KB")
    return 0
