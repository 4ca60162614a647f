"""What an assignment's suites are worth, counted from the suites themselves (never repeated as literals)."""

from autograder.channels.notebook.checks import collect
from autograder.course import load_course

# Every assignment of course.toml: the invariant tests run once for each.
ASSIGNMENTS = list(load_course().values())


def points(assignment, suites=("public", "hidden")) -> float:
    """The points of every check of these suites."""
    return sum(check.points for suite in suites for check in collect(assignment, suite))


def check_count(assignment, suite: str) -> int:
    """How many checks (test functions times parameter cases) a suite holds."""
    return len(collect(assignment, suite))
