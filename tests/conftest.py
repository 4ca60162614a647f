"""Shared fixtures for the project's own tests."""

import pytest
from suite_totals import ASSIGNMENTS

from autograder.course import get_assignment
from autograder.grade import grade_submission


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
