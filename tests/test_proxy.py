"""sandbox/proxy.py: what the worker's replies become for the checks, and which budget bounds a call."""

from __future__ import annotations

import pytest

from autograder.interface import NotImplementedYet, StudentError, SubmissionDidNotImport
from autograder.sandbox import BACKSTOP, IsolatedSubmission, Limits, Sandbox, error_from


def test_a_missing_function_is_named_as_missing():
    """a call of a function the file does not define says so, in the student's words."""
    error = error_from({"type": "missing", "message": "add_noise is not defined"}, "add_noise")
    assert type(error) is StudentError
    assert str(error) == "add_noise is not defined in your file"


def test_not_implemented_is_its_own_kind():
    """NotImplementedError raised by a stub becomes NotImplementedYet, which says the function is not written yet."""
    error = error_from({"type": "NotImplementedError", "message": "todo"}, "add_noise")
    assert isinstance(error, NotImplementedYet)
    assert "not implemented yet" in str(error)


def test_a_raised_error_keeps_its_kinds_and_the_students_lines():
    """an error keeps its type, message, built-in kinds and the last three of the student's own lines."""
    frames = [{"line": n, "function": "f", "code": f"line {n}"} for n in range(1, 6)]
    described = {"type": "ValueError", "message": "bad", "kinds": ["ValueError", "Exception"], "where": frames}
    error = error_from(described, "add_noise")
    assert error.raised == ("ValueError", "Exception")
    assert str(error).splitlines() == [
        "add_noise raised ValueError: bad",
        "  line 3, in f: line 3",
        "  line 4, in f: line 4",
        "  line 5, in f: line 5",
    ]


def test_anything_but_a_description_is_still_an_error():
    """a reply whose error is not a dict (a forged reply) still fails the call, with nothing of it trusted."""
    error = error_from(["not", "a", "dict"], "add_noise")
    assert str(error) == "add_noise raised Error: "


def test_a_rejected_file_is_never_started():
    """a file located as ungradable answers every call with its reason, and no worker is started."""
    with IsolatedSubmission(None, "forward", Limits(), Sandbox(), rejected="no forward.py found") as student:
        with pytest.raises(SubmissionDidNotImport, match=r"no forward\.py found"):
            student.add_noise(1.0)
        assert student._process is None


def test_the_tightest_budget_bounds_a_call():
    """a call may use what is left of the smallest of its three budgets, with the backstop on the clock."""
    limits = Limits(call_seconds=5.0, function_seconds=15.0, total_seconds=45.0)
    student = IsolatedSubmission(None, "forward", limits, Sandbox())
    spent = type("Spent", (), {"cpu": 12.0, "wall": 20.0})()
    allowance, which = student._allowance(spent)
    assert which == "function"
    assert allowance.cpu == pytest.approx(3.0)
    assert allowance.wall == pytest.approx(min(5.0 * BACKSTOP, 15.0 * BACKSTOP - 20.0, 45.0 * BACKSTOP))
