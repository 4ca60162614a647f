"""A reference seen to get full marks is not graded again by the next process, and only then."""

import os

import pytest

from autograder import grade, verified


@pytest.fixture
def fresh_process(monkeypatch, tmp_path):
    """As a new grading process would be: nothing verified in memory, records in a folder of its own."""
    monkeypatch.setattr(grade, "_VERIFIED", set())
    monkeypatch.setattr(verified, "FOLDER", tmp_path / "verified")
    started = []
    real = grade.isolated_submission

    def counted(*args, **kwargs):
        started.append(args[1].path)
        return real(*args, **kwargs)

    monkeypatch.setattr(grade, "isolated_submission", counted)
    return started


def verify(ch01):
    grade.verify_reference(ch01, grade.load_reference(ch01), grade.suite_paths(ch01, grade.SUITES))


@pytest.mark.slow
def test_a_passed_verification_is_written_and_reused(ch01, fresh_process, monkeypatch):
    """the first process grades the reference and records it; the next one grades nothing."""
    verify(ch01)
    assert fresh_process == [ch01.solution]
    assert len(list(verified.FOLDER.iterdir())) == 1
    monkeypatch.setattr(grade, "_VERIFIED", set())
    verify(ch01)
    assert fresh_process == [ch01.solution]


@pytest.mark.slow
def test_a_record_of_another_user_does_not_count(ch01, fresh_process, monkeypatch):
    """a record the grader's user does not own is ignored: the reference is graded again."""
    verify(ch01)
    (record,) = verified.FOLDER.iterdir()
    if os.geteuid() == 0:
        os.chown(record, 12345, 12345)
    else:  # no other owner can be given: a record that is gone counts as little
        record.unlink()
    monkeypatch.setattr(grade, "_VERIFIED", set())
    verify(ch01)
    assert fresh_process == [ch01.solution, ch01.solution]


def test_the_key_changes_with_the_reference_and_the_sandbox(ch01, tmp_path):
    """a changed reference, or another kind of sandbox, has a key of its own."""
    changed = tmp_path / "forward.py"
    changed.write_bytes(ch01.solution.read_bytes() + b"\n# changed\n")
    keys = {
        verified.verification_key([ch01.solution], "uid=True namespaces=True"),
        verified.verification_key([changed], "uid=True namespaces=True"),
        verified.verification_key([ch01.solution], "uid=True namespaces=False"),
    }
    assert len(keys) == 3
