"""Pool tasks for the grade-all tests (module level, so spawned grader processes can import them)."""

import os

from autograder.channels.batch import grade_one


def dies_on_crash(assignment, student, path, suites):
    """Grade as usual, except that the grader process itself dies on the student called "crash"."""
    if student == "crash":
        os._exit(1)
    return grade_one(assignment, student, path, suites)
