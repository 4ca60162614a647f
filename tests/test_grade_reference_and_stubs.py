"""The two anchors: the reference earns every point, the stubs earn none."""


def test_reference_gets_full_marks(grade, ch01):
    """every check passes on the reference solution."""
    report = grade(ch01.solution)
    failed = [(t.name, t.output) for t in report.tests if not t.passed]
    assert failed == []
    assert report.score == report.max_score > 0


def test_stubs_get_zero(grade, ch01):
    """every check fails on the untouched stubs, each saying the task is not implemented."""
    report = grade(ch01.folder)
    assert report.score == 0
    assert all("not implemented yet" in t.output for t in report.tests)
