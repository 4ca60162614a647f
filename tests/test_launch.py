"""sandbox/launch.py: a worker starts in a folder of its own with a scrubbed environment, and ends leaving nothing."""

from __future__ import annotations

import os

from autograder.course import get_assignment
from autograder.sandbox import Limits, Sandbox
from autograder.sandbox import launch as launching
from autograder.sandbox.account import claim_sandbox_account


def test_the_worker_sees_no_variable_of_the_grader(monkeypatch):
    """the environment a worker gets holds its mark and fixed settings, never the grader's own variables."""
    monkeypatch.setenv("AUTOGRADER_SECRET_OF_THE_GRADER", "x")
    environment = launching._scrubbed_environment("/work", "token")
    assert "AUTOGRADER_SECRET_OF_THE_GRADER" not in environment
    assert environment["HOME"] == environment["TMPDIR"] == "/work"
    assert environment["OMP_NUM_THREADS"] == "1"


def test_what_the_worker_runs_from_is_there():
    """the files bound into the worker's root exist beside launch.py."""
    assert all(path.is_file() for path in launching.WORKER_FILES)


def test_a_launched_worker_ends_and_its_folder_goes():
    """a started worker holds only a copy of the file in its folder; ending it leaves no process and no folder."""
    forward = get_assignment("ch01_forward")
    # Claimed as every grading claims its uid: ending a worker kills every process of the uid, and
    # an unclaimed one may be the uid of a grading beside this test.
    with claim_sandbox_account(Sandbox.for_this_machine()) as policy:
        launched = launching.launch(forward.solution, forward.module, Limits(), policy, None, None)
        assert os.listdir(launched.workdir) == [f"{forward.module}.py"]
        assert launched.handle.poll() is None
        assert launched.end() == 0
        assert launched.handle.poll() is not None
        assert not launched.workdir.exists()
