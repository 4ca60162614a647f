"""autograder/sandbox/cpu.py: finding the worker below its launcher."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.sandbox.cpu import single_descendant

# A subreaper (as PID 1 of a namespace is) whose only child, the "worker", double-forks an orphan
# that the subreaper adopts; the subreaper prints its own PID and the worker's, then waits.
ADOPTING = """
import ctypes, os, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
worker = os.fork()
if worker == 0:
    time.sleep(0.05)  # the worker's import comes after its start
    if os.fork() == 0:
        if os.fork() == 0:
            time.sleep(30)
        os._exit(0)
    os.wait()
    time.sleep(30)
    os._exit(0)
time.sleep(0.5)
print(os.getpid(), worker, flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or sys.platform != "linux", reason="Linux /proc")
def test_the_worker_is_found_beside_the_orphans_its_launcher_adopted():
    """a launcher with the worker and an orphan the worker left: the worker, the child started first."""
    command = [sys.executable, "-c", ADOPTING]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True, "start_new_session": True}
    with subprocess.Popen(command, **pipes) as adopting:
        try:
            launcher, worker = map(int, adopting.stdout.readline().split())
            assert len(Path(f"/proc/{launcher}/task/{launcher}/children").read_text().split()) == 2
            assert single_descendant(launcher, 1) == worker
            assert single_descendant(launcher, 0) == launcher
        finally:
            os.killpg(adopting.pid, signal.SIGKILL)
