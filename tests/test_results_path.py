"""Where results.json goes: regular files replaced atomically, FIFOs and devices written through, never replaced.

Every path here is made by the test in its own temporary folder: never a
system path.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from autograder import results as results_module
from autograder.course import PROJECT_ROOT
from autograder.results import GradeReport, ResultsNotWritten, destination, write_results
from autograder.results import TestResult as Check

AS_ROOT = os.name == "posix" and os.geteuid() == 0
OTHER_UID = 65534  # stands for the sandbox user: anyone but the grader and root


def report(score=1.0) -> GradeReport:
    return GradeReport("ch01_forward", [Check("add_noise: a check", score, 1.0, "passed", task="add_noise")])


class Reader(threading.Thread):
    """Reads a FIFO to its end, as `make grade RESULTS=fifo` with a reader on the other side would."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.data = path, b""
        self.start()

    def run(self):
        with open(self.path, "rb") as fifo:
            self.data = fifo.read()


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path):
    """results named by a FIFO go through it to its reader; the FIFO itself is left in place."""
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    reader = Reader(fifo)
    write_results(report(), fifo)
    reader.join(10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(reader.data)["score"] == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.fifo"]


def test_a_fifo_nobody_reads_fails_in_bounded_time(tmp_path, monkeypatch):
    """without a reader the write gives up after FIFO_READER_SECONDS with a reason; the FIFO stays."""
    monkeypatch.setattr(results_module, "FIFO_READER_SECONDS", 0.3)
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(ResultsNotWritten, match="results cannot be written to"):
        write_results(report(), fifo)
    assert time.monotonic() - started < 5
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_own_link_to_a_fifo_is_followed_and_kept(tmp_path):
    """a link of the grader's own user to a FIFO (like /dev/stdout) is written through; the link stays."""
    fifo, link = tmp_path / "pipe", tmp_path / "results.json"
    os.mkfifo(fifo)
    link.symlink_to(fifo)
    reader = Reader(fifo)
    write_results(report(), link)
    reader.join(10)
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(link).st_mode)
    assert json.loads(reader.data)["score"] == 1.0


def test_own_link_to_a_file_updates_the_file(tmp_path):
    """a link of the grader's own user to a regular file: the file gets the results, the link stays."""
    target, link = tmp_path / "latest.json", tmp_path / "results.json"
    target.write_text("old")
    link.symlink_to(target)
    write_results(report(0.0), link)
    assert link.is_symlink() and json.loads(target.read_text())["score"] == 0.0


@pytest.mark.skipif(not AS_ROOT, reason="planting as another user needs root")
def test_a_fifo_planted_by_another_user_is_replaced_without_waiting(tmp_path, monkeypatch):
    """a FIFO student code left at the results path (to hang the grader) is replaced by the results at once."""
    monkeypatch.setattr(results_module, "FIFO_READER_SECONDS", 30)
    fifo = tmp_path / "results.json"
    os.mkfifo(fifo)
    os.chown(fifo, OTHER_UID, OTHER_UID)
    started = time.monotonic()
    write_results(report(), fifo)
    assert time.monotonic() - started < 5
    assert stat.S_ISREG(os.lstat(fifo).st_mode) and json.loads(fifo.read_text())["score"] == 1.0


def test_a_character_device_is_written_through_not_replaced(tmp_path):
    """a character device (a private copy of the null device) stays a device after results go to it."""
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as error:
        pytest.skip(f"this system does not let the test make a device node ({error.strerror})")
    write_results(report(), device)
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert destination(device) == ("through", device)


@pytest.mark.slow
def test_a_socket_is_refused_before_grading(tmp_path):
    """--results naming a socket stops the grader before it grades: exit 2, one line, the socket untouched."""
    path = tmp_path / "results.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        done = subprocess.run(
            [sys.executable, "-m", "autograder", "grade", "ch01_forward", "--results", str(path)],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            timeout=300,
            check=False,
        )
    finally:
        server.close()
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"autograder: results cannot be written to {path}: it is a socket; give a file name\n"
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


@pytest.mark.slow
def test_make_grade_through_a_fifo(tmp_path, ch01):
    """`grade --results FIFO` writes the real results to the reader and leaves the FIFO a FIFO."""
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    reader = Reader(fifo)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "ch01_forward",
            "--submission",
            str(ch01.solution),
            "--results",
            str(fifo),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
        check=False,
    )
    reader.join(10)
    assert done.returncode == 0, done.stderr
    data = json.loads(reader.data)
    assert data["score"] == data["max_score"] > 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
