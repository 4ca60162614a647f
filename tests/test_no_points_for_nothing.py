"""No point without work: submissions that compute nothing earn nothing, and casting down hides no error.

Every number here was checked by reading the feedback: each failed check of a
property says that it pays only for a right result.
"""

from pathlib import Path

import degenerate
import mutation
import pytest
from suite_totals import points

from autograder.course import get_assignment, load_course
from autograder.grade import grade_submission

# What is judged is what the suites pay for, not isolation: known files, graded in this process.
pytestmark = [pytest.mark.slow, pytest.mark.in_process]
HOSTILE = Path(__file__).parent / "hostile"


def test_degenerate_submissions_stay_under_the_ceiling(assignment):
    """None, constants, the inputs themselves or their shapes filled with a number, and the best mix: each
    earns at most degenerate.CEILING of the points (made from the reference, so every assignment is covered)."""
    families, best = degenerate.measured(assignment)
    ceiling = degenerate.CEILING * points(assignment)
    scores = {degenerate.describe(d): d.total for d in [*families, best]}
    assert len(families) >= 8 and "None" in scores and any(name.startswith("constant") for name in scores)
    assert scores["None"] == 0
    assert max(scores.values()) <= ceiling, scores


def test_make_mutants_prints_the_degenerates_of_every_assignment_and_their_summary_line(capsys):
    """make mutants' fifth step: each assignment's family with its scores, then one line with the best share,
    under the ceiling (the gradings are the ones the tests above judge)."""
    course = load_course().values()
    worst = [mutation.print_degenerates(assignment, *degenerate.measured(assignment)) for assignment in course]
    printed = capsys.readouterr().out
    sections = printed.split("\ndegenerate submissions of ")[1:]
    assert [section.split(" ", 1)[0] for section in sections] == [assignment.id for assignment in course]
    for assignment, section in zip(course, sections, strict=True):
        assert section.startswith(f"{assignment.id} (out of {points(assignment):g} points):\n      0  None\n")
    line = mutation.DEGENERATES.match(mutation.degenerates_line(worst))
    assert line, mutation.degenerates_line(worst)
    graded, best, total, share, ceiling = map(float, line.groups())
    assert graded >= 2 * 8 and best <= ceiling / 100 * total and share <= ceiling == 100 * degenerate.CEILING


@pytest.mark.parametrize("assignment_id", ["ch01_forward", "ch01_noise", "ch01_reverse"])
def test_every_degenerate_family_and_the_best_mix_earn_zero(assignment_id):
    """None, raising, constants 0/1/0.5/-1, each input itself, shaped like the answer or filled: 0 points each."""
    families, best = degenerate.measured(get_assignment(assignment_id))
    scores = {degenerate.describe(d): d.total for d in [*families, best]}
    for name in ("None", "constant 0", "constant 1", "input 0", "input 1", "input 0 shaped like the answer"):
        assert scores[name] == 0, (name, scores)
    assert set(scores.values()) == {0}, scores


@pytest.mark.parametrize(
    ("assignment_id", "trick"),
    [
        ("ch01_forward", "property_farmer.py"),
        ("ch01_noise", "ch01_noise/property_farmer.py"),
        ("ch01_reverse", "ch01_reverse/property_farmer.py"),
    ],
)
def test_answers_chosen_to_satisfy_properties_earn_what_zeros_earn(assignment_id, trick):
    """schedules [1, 0, ...], zero betas and covariances, inputs handed back, 0.0, 1.0, ValueError, x_T: 0."""
    assignment = get_assignment(assignment_id)
    twin = HOSTILE / ("zeros.py" if assignment_id == "ch01_forward" else f"{assignment_id}/zeros.py")
    assert grade_submission(assignment, HOSTILE / trick).score == 0
    assert grade_submission(assignment, twin).score == 0


def test_casting_to_float32_hides_no_formula_off_by_4e5():
    """every result 4e-5 off keeps only the float32-input checks (24 points), cast to float32 or not (was 150)."""
    ch01 = get_assignment("ch01_forward")
    float64 = grade_submission(ch01, HOSTILE / "off_by_4e5.py")
    float32 = grade_submission(ch01, HOSTILE / "off_by_4e5_float32.py")
    assert (float64.score, float32.score) == (24, 24)
    kept = {t.name for t in float32.tests if t.passed}
    assert kept == {t.name for t in float64.tests if t.passed}
    assert all("float32" in name for name in kept if "eps" not in name and "one jump" not in name), kept


def test_nan_everywhere_earns_nothing_from_generate():
    """NaN from every function: generate's NaN samples match its own NaN steps, yet earn 0 (was 25 of 105)."""
    assert grade_submission(get_assignment("ch01_reverse"), HOSTILE / "ch01_reverse/nan_everywhere.py").score == 0
