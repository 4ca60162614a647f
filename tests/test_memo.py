"""The reference memo replays answers exactly, and batch grading with it grades like fresh gradings."""

import numpy as np
import pytest
from suite_totals import points

from autograder import grade
from autograder.memo import Memo


def noisy(x, scale):
    return x + scale * np.random.randn(*x.shape), np.random.randn(2)


def test_replayed_answer_and_generator_state_match_a_fresh_computation():
    """a repeated call returns the same values and leaves the generator where computing it would."""
    memo, x = Memo(), np.arange(6.0)
    np.random.seed(4)
    first = memo.call("noisy", noisy, x, 0.5)
    after_first = np.random.randn(3)
    np.random.seed(4)
    again = memo.call("noisy", noisy, x, 0.5)
    after_again = np.random.randn(3)
    assert (memo.hits, memo.misses) == (1, 1)
    np.testing.assert_array_equal(again[0], first[0])
    np.testing.assert_array_equal(again[1], first[1])
    np.testing.assert_array_equal(after_again, after_first)


def test_replayed_answers_are_private_copies():
    """changing a returned array does not change what the memo replays next time."""
    memo = Memo()
    np.random.seed(0)
    memo.call("noisy", noisy, np.zeros(3), 1.0)[0][:] = 99
    np.random.seed(0)
    replayed = memo.call("noisy", noisy, np.zeros(3), 1.0)[0]
    assert memo.hits == 1 and not (replayed == 99).any()


@pytest.mark.parametrize("change", ["seed", "argument", "dtype"])
def test_a_different_call_is_computed_afresh(change):
    """another generator state, argument value or dtype is a miss, not a replay."""
    memo = Memo()
    np.random.seed(1)
    memo.call("noisy", noisy, np.zeros(3), 1.0)
    np.random.seed(2 if change == "seed" else 1)
    x = np.zeros(3, dtype=np.float32 if change == "dtype" else np.float64)
    memo.call("noisy", noisy, x, 2.0 if change == "argument" else 1.0)
    assert (memo.hits, memo.misses) == (0, 2)


def test_answers_without_an_exact_copy_are_not_kept():
    """an object that cannot be copied exactly is computed on every call."""
    memo = Memo()
    for _ in range(2):
        memo.call("make", object)
    assert (memo.hits, memo.misses) == (0, 2)


@pytest.mark.slow
def test_batch_grading_with_a_warm_memo_matches_fresh_gradings(ch01, tmp_path):
    """grading a wrong submission after the reference, in one process, gives the same checks as alone."""
    wrong = tmp_path / "wrong" / "forward.py"
    wrong.parent.mkdir()
    source = ch01.solution.read_text(encoding="utf-8")
    mistake = "1 - alpha_bar[1:] / alpha_bar[:-1]"
    assert mistake in source
    wrong.write_text(source.replace(mistake, "1 - alpha_bar[:-1] / alpha_bar[1:]"), encoding="utf-8")

    def checks(path):
        report = grade.grade_submission(ch01, path)
        return report.score, [(t.name, t.score, t.output) for t in report.tests]

    grade._MEMOS.clear()
    alone = checks(wrong)
    grade._MEMOS.clear()
    reference = checks(ch01.solution)
    after_reference = checks(wrong)
    memo = next(iter(grade._MEMOS.values()))
    assert memo.hits > 0
    assert reference[0] == points(ch01)
    assert after_reference == alone
    assert 0 < alone[0] < points(ch01)
