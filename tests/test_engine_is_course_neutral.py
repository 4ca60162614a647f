"""The engine names no assignment: a new chapter needs no edit outside autograder/suites/.

``engine_names`` says what counts: identifiers and strings of the engine's code
(read with ``ast``), not its comments, docstrings or other libraries' attributes.
"""

from __future__ import annotations

import textwrap

import pytest
from engine_names import course_names, engine_hits, names_in_code, names_in_makefile
from suite_totals import ASSIGNMENTS

from autograder.course import PROJECT_ROOT


@pytest.mark.slow
def test_engine_code_names_no_assignment_module_or_task():
    """no engine file outside suites/ (nor the Makefile) names an assignment id, module or task in its code."""
    assert engine_hits(PROJECT_ROOT, course_names(ASSIGNMENTS)) == []


PLANTED = '''\
"""Grades clip_values (a docstring may say so)."""

import numpy as np
from autograder.course import get_assignment

FIRST = "ch01_forward"  # the id in a string


def grade(submission, add_noise):
    # clip_values and add_noise in a comment are fine
    x = np.clip(submission.cosine_schedule(3), 0, 1)  # np.clip is NumPy's
    path = f"solutions/{FIRST}/forward.py"
    told = "the values go forward in reverse order"  # plain words in a sentence
    return get_assignment("clip_values"), x, path, told, "reverse", "see reverse.py"
'''


def test_the_scan_finds_a_planted_name_and_nothing_else():
    """a planted module is caught for its ids, tasks and file names, not for comments, docstrings, prose or np.clip."""
    names = {"ch01_forward", "forward", "cosine_schedule", "add_noise", "clip_values", "clip", "reverse"}
    assert names_in_code(PLANTED, names) == [
        (6, "ch01_forward"),
        (9, "add_noise"),
        (11, "cosine_schedule"),
        (12, "forward"),
        (14, "clip_values"),
        (14, "reverse"),
    ]


def test_the_scan_sees_every_assignment_of_the_course():
    """each assignment's id, module and first task, used in code, is found; a longer name around them is not."""
    names = course_names(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        for name in (assignment.id, assignment.module, assignment.task_names[0]):
            code = textwrap.dedent(f"""\
                x = {name}(1)
                y = "{name}"
                z = {name}_extra_suffix
                w = "{name}_extra_suffix"
            """)
            assert names_in_code(code, names) == [(1, name), (2, name)]


def test_the_makefile_scan_skips_comments_only():
    """a name in a Makefile rule is found; the same name in a comment is not."""
    text = "grade:  # grades add_noise\n\t$(PY) -m autograder grade ch01_forward\n"
    assert names_in_makefile(text, {"add_noise", "ch01_forward"}) == [(2, "ch01_forward")]
