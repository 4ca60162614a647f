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
