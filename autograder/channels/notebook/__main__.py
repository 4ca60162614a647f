"""python -m autograder.channels.notebook ASSIGNMENT [COURSE_FOLDER]: write the nbgrader course folder.

``python -m autograder nbgrader-release`` does this and releases the notebook too.
"""

import sys
from pathlib import Path

from autograder.channels.notebook.course_folder import write_course_folder
from autograder.course import get_assignment


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m autograder.channels.notebook ASSIGNMENT [COURSE_FOLDER]", file=sys.stderr)
        return 2
    assignment = get_assignment(args[0])
    course = Path(args[1] if len(args) > 1 else "build/nbgrader")
    print(f"wrote {write_course_folder(assignment, course)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
