"""Hidden checks run on a notebook's functions: the adapter and the cell's report."""

import contextlib
import io

import numpy as np

from autograder.channels.notebook.checks import collect
from autograder.channels.notebook.hidden import NotebookSubmission, run_check
from autograder.interface import NotImplementedYet


def _namespace(ch01, replace=None):
    source = ch01.solution.read_text(encoding="utf-8")
    if replace:
        source = source.replace(*replace)
    namespace = {}
    exec(source, namespace)
    return namespace


def test_submission_keeps_its_own_random_stream(ch01):
    """draws outside the submission do not shift its stream, and a seed applies to its next call only."""
    submission = NotebookSubmission(_namespace(ch01))
    x0 = np.zeros((3, 4))
    submission.seed(5)
    first = submission.call("add_noise", x0, 0.5).result[1]
    np.random.seed(99)
    np.random.randn(100)
    second = submission.call("add_noise", x0, 0.5)
    expected = np.random.RandomState(5).randn(2, 3, 4)
    assert np.array_equal(first, expected[0]) and np.array_equal(second.result[1], expected[1])
    assert second.rng_used


def test_submission_passes_copies_and_reports_what_happened_to_them(ch01):
    """the call gets copies of the arguments; args_after shows the student's changes to them."""
    namespace = _namespace(ch01)
    namespace["scale"] = lambda x: x.__imul__(2)
    x = np.ones(3)
    reply = NotebookSubmission(namespace).call("scale", x, return_args=True)
    assert np.array_equal(x, np.ones(3)) and np.array_equal(reply.args_after[0], 2 * np.ones(3))


def test_unimplemented_function_gives_the_graders_message(ch01):
    """a function raising NotImplementedError fails with the pytest grader's words."""
    namespace = _namespace(ch01)
    namespace["add_noise"] = lambda x0, a: (_ for _ in ()).throw(NotImplementedError())
    try:
        NotebookSubmission(namespace).add_noise(np.zeros(2), 0.5)
    except NotImplementedYet as error:
        assert "not implemented yet" in str(error)
    else:
        raise AssertionError("NotImplementedError was not reported")


def test_failed_check_reports_on_stderr_without_code(ch01):
    """a failed check writes its name and message to stderr (a failure to nbgrader), no traceback; a pass is silent."""
    check = next(c for c in collect(ch01, "hidden") if c.function == "test_preserves_unit_variance")
    wrong = _namespace(
        ch01, ("xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps", "print('hi')\n    xt = a * x0 + (1 - a) * eps")
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        passed = run_check(wrong, ch01.id, check.module, check.function, check.case)
    assert not passed
    assert err.getvalue().startswith(check.name) and "known mistake" in err.getvalue()
    assert "Traceback" not in err.getvalue() and "Your code printed:\nhi" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert run_check(_namespace(ch01), ch01.id, check.module, check.function, check.case)
    assert err.getvalue() == "" and out.getvalue() == ""


def test_check_broken_by_its_own_error_says_so_and_marks_itself(ch01, monkeypatch):
    """a check raising NameError says it is broken, marks itself for nbgrader-grade, and quotes nothing of it."""
    from autograder.channels.notebook import hidden  # noqa: PLC0415

    check = next(c for c in collect(ch01, "hidden") if c.function == "test_preserves_unit_variance")

    def misspelt(submission):
        return undefined_helper(submission)  # noqa: F821 - the check's own mistake, on purpose

    monkeypatch.setattr(hidden, "find", lambda *args: (misspelt, check))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        passed = run_check(_namespace(ch01), ch01.id, check.module, check.function, check.case)
    assert not passed
    assert err.getvalue().splitlines() == [
        f"{check.name}: not graded: the check itself is broken, not your code; please tell your instructor",
        f"{hidden.BROKEN_CHECK}: {check.name}",
    ]
