"""sandbox/account.py: a grading's own sandbox uid, and removal of whatever a submission left."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from autograder.sandbox import Sandbox
from autograder.sandbox.account import claim_sandbox_account, remove_tree

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def test_without_a_uid_nothing_is_claimed():
    """a policy without a sandbox user (not root) is handed back unchanged."""
    policy = Sandbox()
    with claim_sandbox_account(policy) as claimed:
        assert claimed is policy


@pytest.mark.skipif(not AS_ROOT, reason="sandbox uids are claimed as root only")
def test_two_gradings_side_by_side_never_share_a_uid():
    """while one grading holds a uid, another grading gets a different one."""
    policy = Sandbox.for_this_machine()
    with claim_sandbox_account(policy) as first:
        seen = []
        other = threading.Thread(target=lambda: seen.append(_claim_once(policy)))
        other.start()
        other.join(timeout=60)
    assert seen and seen[0] != first.uid
    assert first.uid is not None and first.uid <= policy.uid


def _claim_once(policy: Sandbox) -> int | None:
    with claim_sandbox_account(policy) as claimed:
        return claimed.uid


@pytest.mark.slow
def test_remove_tree_removes_any_depth_and_never_raises(tmp_path):
    """a tree deeper than the recursion limit and PATH_MAX, with a folder chmod 0, is removed."""
    top = tmp_path / "deep"
    top.mkdir()
    start = os.open(".", os.O_RDONLY)
    try:
        os.chdir(top)
        for _ in range(3000):
            os.mkdir("d")
            os.chdir("d")
        os.mkdir("locked")
        Path("locked/file").write_text("x")
        os.chmod("locked", 0)
    finally:
        os.fchdir(start)
        os.close(start)
    assert remove_tree(top) is True
    assert not top.exists()
    assert remove_tree(tmp_path / "never-existed") is True
