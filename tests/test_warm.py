"""Workers forked from the warm template: fresh, confirmed from outside, and replaceable."""

from __future__ import annotations

import os
import re
import secrets
import signal
import sys

import pytest
from test_hostile import AS_ROOT, MODES, PUBLIC, passed, sandbox_for

from autograder.grade import grade_submission
from autograder.sandbox import launch

LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the warm template is Linux only")


def template_of(sandbox):
    template = launch.warm_template(sandbox)
    assert template is not None and template.alive()
    return template


@pytest.mark.slow
@LINUX
@pytest.mark.parametrize("mode", MODES)
def test_a_forked_worker_is_confirmed_warm_and_in_fresh_namespaces(ch01, mode):
    """results.json says the worker was forked, and (in namespaces) that each namespace is new to the template too."""
    report = grade_submission(ch01, ch01.solution, suites=PUBLIC, sandbox=sandbox_for(mode, ch01))
    seen = report.metadata["protections"]["in_force"]
    assert report.score == report.max_score
    assert seen["warm_start"] is True
    assert seen["privileges_dropped"] is True and seen["no_new_privs"] is True
    if mode == "namespaces":
        assert seen["namespaces"] == {name: True for name in ("pid", "ipc", "mnt", "net", "uts")}


@pytest.mark.slow
@LINUX
@pytest.mark.parametrize("mode", MODES)
def test_a_dead_template_is_replaced_and_grading_goes_on(ch01, mode):
    """a template killed between two gradings costs no point: the next grading starts a new one."""
    sandbox = sandbox_for(mode, ch01)
    first = grade_submission(ch01, ch01.solution, suites=PUBLIC, sandbox=sandbox)
    old = template_of(sandbox)
    os.killpg(old.proc.pid, signal.SIGKILL)
    old.proc.wait(timeout=10)
    again = grade_submission(ch01, ch01.solution, suites=PUBLIC, sandbox=sandbox)
    assert passed(again) == passed(first)
    assert template_of(sandbox) is not old


@pytest.mark.slow
@LINUX
@pytest.mark.skipif(not AS_ROOT, reason="reading another process's memory needs root")
@pytest.mark.parametrize("mode", MODES)
def test_the_template_never_holds_a_submission(ch01, mode, tmp_path):
    """after grading a file with a unique mark in it, no page of the template's memory holds that mark."""
    mark = f"submission-mark-{secrets.token_hex(16)}".encode()
    path = tmp_path / ch01.filename
    path.write_bytes(ch01.solution.read_bytes() + b"\n# " + mark + b"\n")
    sandbox = sandbox_for(mode, ch01)
    report = grade_submission(ch01, path, suites=PUBLIC, sandbox=sandbox)
    assert report.score == report.max_score
    template = template_of(sandbox)
    pid = template.pid if template.nested else template.proc.pid
    assert pid is not None
    assert _memory_holds(pid, b'"control_fd"') is not None  # the search finds what is there (its own config)
    assert _memory_holds(pid, mark) is None


def _memory_holds(pid: int, needle: bytes) -> int | None:
    """The address of ``needle`` in the readable mappings of ``pid``, or None."""
    found = None
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for line in maps:
            match = re.match(r"([0-9a-f]+)-([0-9a-f]+) r", line)
            if not match:
                continue
            start, end = int(match.group(1), 16), int(match.group(2), 16)
            try:
                memory.seek(start)
                data = memory.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            where = data.find(needle)
            if where >= 0:
                found = start + where
                break
    return found
