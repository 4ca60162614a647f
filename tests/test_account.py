"""sandbox/account.py: a grading's own sandbox uid, and removal of whatever a submission left."""

from __future__ import annotations

import os
import threading

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


def test_a_deep_unreadable_tree_is_removed(tmp_path):
    """a tree deeper than the recursion limit, with a folder closed to everyone, is removed whole."""
    folder = tmp_path / "left"
    os.mkdir(folder)
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(1200):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        os.mkdir("closed", 0o000, dir_fd=fd)
    finally:
        os.close(fd)
    assert remove_tree(folder) is True
    assert not folder.exists()
