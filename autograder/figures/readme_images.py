"""The pictures in an assignment's README, drawn from the reference: ``make readme-images``.

    python -m autograder.figures.readme_images [ASSIGNMENT]

Writes ``<assignment folder>/images/strip.png`` and ``schedule.png`` from the
reference solution on the 64 px starter image (the size the exercises use,
which also keeps the noisy strip small). The files are committed, so students
see them without running anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.course import get_assignment
from autograder.figures.dial import Dial
from autograder.figures.draw import schedule_figure, strip_figure
from autograder.figures.images import STARTER_IMAGES, load_image
from autograder.grade import load_reference
from autograder.plugin import InProcess

README_IMAGE = STARTER_IMAGES / "sky_sun_ground.png"


def write_readme_images(assignment_id: str = "ch01_forward", out: Path | None = None) -> list[Path]:
    """Draw the strip and the schedule with the reference; return the paths written."""
    assignment = get_assignment(assignment_id)
    out = out or assignment.folder / "images"
    out.mkdir(parents=True, exist_ok=True)
    reference = load_reference(assignment) if assignment.solution and assignment.solution.is_file() else None
    if reference is None:
        raise SystemExit(f"readme_images: no reference solution for {assignment.id} in this copy of the course")
    dial = Dial(InProcess(reference), load_image(README_IMAGE))
    return [strip_figure(dial, out), schedule_figure(dial, out)]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for path in write_readme_images(*argv[:1]):
        print(f"{path}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
