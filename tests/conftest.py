"""Shared fixtures for the project's own tests."""

import pytest
from in_process_worker import IN_PROCESS
from suite_totals import ASSIGNMENTS

import autograder.channels.notebook  # noqa: F401 - before a test file imports nbformat (UNUSED_SLOW_IMPORTS)
from autograder.course import get_assignment
from autograder.grade import grade_submission
from autograder.sandbox import workers_of_kind


@pytest.fixture(scope="session", params=ASSIGNMENTS, ids=[a.id for a in ASSIGNMENTS])
def assignment(request):
    """Each assignment of course.toml in turn: a test using it runs once per assignment."""
    return request.param


@pytest.fixture(scope="session")
def ch01():
    return get_assignment("ch01_forward")


@pytest.fixture(scope="session")
def grade(ch01):
    """Grade a submission path on every suite; returns the report."""

    def run(path, suites=("public", "hidden")):
        return grade_submission(ch01, path, suites=suites)

    return run


@pytest.fixture(autouse=True, scope="module")
def worker_kind(request):
    """Gradings of a test file marked ``in_process`` run their files in this process (tests/in_process_worker.py)."""
    if request.node.get_closest_marker("in_process") is None:
        yield "isolated"
        return
    with workers_of_kind(IN_PROCESS):
        yield IN_PROCESS.name


# The files that take longest on the 2-core machine (pytest --durations=0, summed per file), longest
# first. `make test` hands whole files to two processes in collection order (--dist loadfile
# --no-loadscope-reorder): starting the long ones first lets both processes end together.
LONGEST_FIRST = (
    "test_hostile.py",
    "test_mutation.py",
    "test_notebook_nbgrader.py",
    "test_zoos.py",
    "test_figures.py",
    "test_gradescope.py",
)


def pytest_collection_modifyitems(items):
    """Put the files of LONGEST_FIRST first, in that order; the rest keep theirs (the sort is stable)."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
