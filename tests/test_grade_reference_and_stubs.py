"""The two anchors, for every assignment: the reference earns every point, the stub earns none."""

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
