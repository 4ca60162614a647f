"""README.md's table of assignments and points, made from course.toml and the suites themselves.

    python tests/readme_points.py     # rewrite the table in README.md (make readme-points)

tests/test_readme.py fails while the README's table differs from what this makes, so a
changed suite or a new assignment cannot leave a stale figure behind.
"""

from __future__ import annotations

import sys
from pathlib import Path

from suite_totals import ASSIGNMENTS, points

from autograder.course import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
BEGIN = "<!-- assignments and points: made by `make readme-points` from the suites; tests/test_readme.py checks -->"
END = "<!-- end of assignments and points -->"


def points_table(assignments=ASSIGNMENTS) -> str:
    """One row per assignment of course.toml: what students edit, the command, and the points of each suite."""
    rows = [
        "| assignment | students edit | grade it with | public points | hidden points | total |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for index, assignment in enumerate(assignments):
        public, hidden = points(assignment, ("public",)), points(assignment, ("hidden",))
        edited = f"`{assignment.folder.relative_to(PROJECT_ROOT).as_posix()}/{assignment.filename}`"
        command = "`make grade`" if index == 0 else f"`make grade ASSIGNMENT={assignment.id}`"
        rows.append(
            f"| {assignment.title} (`{assignment.id}`) | {edited} | {command} "
            f"| {public:g} | {hidden:g} | {public + hidden:g} |"
        )
    return "\n".join(rows)


def block_in(text: str) -> str:
    """The table between the markers of ``text``."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"README.md has no {BEGIN!r} ... {END!r} block")
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def rewrite(path: Path = README) -> bool:
    """Put the table between the markers of ``path``; True when that changed it."""
    text = path.read_text(encoding="utf-8")
    block_in(text)  # the markers are there
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    new = f"{before}{BEGIN}\n{points_table()}\n{END}{after}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    changed = rewrite()
    print(f"{README.name}: {'table rewritten' if changed else 'table already up to date'}")
    sys.exit(0)
