"""The two anchors, for every assignment: the reference earns every point, the stub earns none."""

import degenerate
import pytest
from suite_totals import check_count, points

from autograder.grade import grade_submission


@pytest.mark.slow
def test_reference_gets_full_marks(assignment):
    """every check passes on the reference solution, worth the points its suites declare."""
    report = grade_submission(assignment, assignment.solution)
    failed = [(t.name, t.output) for t in report.tests if not t.passed]
    assert failed == []
    assert report.score == report.max_score == points(assignment) > 0


@pytest.mark.slow
def test_stubs_get_zero(assignment):
    """every check fails on the untouched stub, each saying the task is not implemented."""
    report = grade_submission(assignment, assignment.folder)
    assert report.score == 0 and report.max_score == points(assignment)
    assert all("not implemented yet" in t.output for t in report.tests)


@pytest.mark.slow
def test_results_record_the_suites_that_ran_and_their_checks(assignment):
    """results name the suites that ran, how many checks each held, and the pytest version."""

    report = grade_submission(assignment, assignment.solution)
    assert report.metadata["suites"] == ["public", "hidden"]
    assert report.metadata["checks"] == {suite: check_count(assignment, suite) for suite in ("public", "hidden")}
    assert report.metadata["pytest"] == pytest.__version__
    public = grade_submission(assignment, assignment.solution, suites=("public",))
    assert public.metadata["suites"] == ["public"] and list(public.metadata["checks"]) == ["public"]


@pytest.mark.slow
def test_degenerate_submissions_stay_under_the_ceiling(assignment):
    """None, constants, the inputs themselves or their shapes filled with a number, and the best mix: each
    earns at most degenerate.CEILING of the points (made from the reference, so every assignment is covered)."""
    families, best = degenerate.measured(assignment)
    ceiling = degenerate.CEILING * points(assignment)
    scores = {degenerate.describe(d): d.total for d in [*families, best]}
    assert len(families) >= 8 and "None" in scores and any(name.startswith("constant") for name in scores)
    assert scores["None"] == 0
    assert max(scores.values()) <= ceiling, scores
