"""ch01_reverse with NaN or inf planted in one function's results: that function loses points, and no other."""

from __future__ import annotations

import pytest

from autograder.course import get_assignment
from autograder.grade import grade_submission

REVERSE = get_assignment("ch01_reverse")
PLANT = """

_{task} = {task}


def {task}(*args):
    result = _{task}(*args)
    if isinstance(result, tuple):
        return tuple(np.full_like(part, {value}) for part in result)
    return np.full_like(result, {value})
"""

# The point is what the checks make of NaN and inf, not isolation: the in-process stand-in grades (the
# wire still carries the arrays); test_zoo_sandboxed.py keeps the stand-in equal to the real worker.
pytestmark = [pytest.mark.slow, pytest.mark.in_process]


@pytest.mark.parametrize("value", ["np.nan", "np.inf"])
@pytest.mark.parametrize("task", REVERSE.task_names)
def test_nonfinite_results_cost_their_own_function_only(tmp_path, task, value):
    """the reference with one function's results all NaN (or inf): only that function loses points, and it loses."""
    path = tmp_path / REVERSE.filename
    path.write_text(REVERSE.solution.read_text(encoding="utf-8") + PLANT.format(task=task, value=value))
    report = grade_submission(REVERSE, path)
    assert sorted({t.task for t in report.tests if not t.passed}) == [task]
