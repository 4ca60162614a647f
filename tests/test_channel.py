"""A worker's last reply, its end and the grader's look at it, in every order: the reply is never lost."""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import pytest
from test_hostile import BAD, HOSTILE, MODES, sandbox_for

from autograder.grade import grade_submission
from autograder.sandbox import Limits, channel, wire
from autograder.sandbox.channel import Allowance, WorkerDied, WorkerProcess, _BoundedBuffer, _Spend

REPLY = {"ready": False, "error": {"type": "ModuleNotFoundError", "message": "No module named 'scipy'"}}


class ScriptedMeter:
    """A meter whose looks at the worker run ``events`` in turn: each may write on the pipe or end the worker."""

    def __init__(self, events):
        self.events = list(events)
        self.alive = True
        self.stopped = False
        self.asleep = 0.0

    def begin(self) -> float:
        return 0.0

    def seconds(self, answered=False) -> float:
        if self.events:
            self.events.pop(0)()
        return 0.0


class EndedProcess:
    """What the grader asks of an ended worker: how it ended."""

    pid = 0

    def wait(self, timeout=None) -> int:
        return 0


class FakeWorker:
    """The worker's ends of the pipes, written to by the scripted events."""

    def __init__(self):
        self.reply_read, self.reply_write = os.pipe()
        self.printed_read, self.printed_write = os.pipe()
        self.request_read, self.request_write = os.pipe()
        self.message = b"".join(wire.frame(REPLY))

    def write(self, part: slice):
        os.write(self.reply_write, self.message[part])

    def end(self, meter: ScriptedMeter):
        """The worker ends: every end it held closes, and the meter finds it gone."""
        for fd in (self.reply_write, self.printed_write, self.request_read):
            os.close(fd)
        meter.alive = False


def exchange(events, before=()) -> dict:
    """Run the grader's side of one exchange against a scripted worker; return the message it read."""
    fake = FakeWorker()
    meter = ScriptedMeter([lambda e=e: e(fake, meter) for e in events])
    for step in before:
        step(fake, meter)
    grader = WorkerProcess.__new__(WorkerProcess)
    grader.limits = Limits()
    grader.output = _BoundedBuffer(1024)
    grader.launched = SimpleNamespace(handle=EndedProcess(), exit_code_offset_by_pid1=False)
    grader.meter = meter
    grader._requests, grader._replies, grader._printed = fake.request_write, fake.reply_read, fake.printed_read
    for fd in (grader._requests, grader._replies, grader._printed):
        os.set_blocking(fd, False)
    try:
        header, _ = grader._exchange([], _Spend(meter, Allowance(cpu=5.0, wall=25.0)))
    finally:
        for fd in (fake.reply_read, fake.printed_read, fake.request_write):
            os.close(fd)
    return header


WHOLE, FIRST_HALF, SECOND_HALF = slice(None), slice(None, 20), slice(20, None)
REPLY_THEN_END = [lambda f, m: f.write(WHOLE), lambda f, m: f.end(m)]


@pytest.mark.parametrize(
    ("before", "at_first_look"),
    [
        (REPLY_THEN_END, []),
        ([], REPLY_THEN_END),
        ([lambda f, m: f.write(FIRST_HALF)], [lambda f, m: f.write(SECOND_HALF), lambda f, m: f.end(m)]),
        ([lambda f, m: f.write(WHOLE)], [lambda f, m: f.end(m)]),
    ],
    ids=[
        "reply and end before the first read",
        "reply and end between the read and the look",
        "half a reply read, the rest and the end before the look",
        "reply before the read, end before the look",
    ],
)
def test_a_reply_written_before_the_worker_ended_is_read(before, at_first_look):
    """whatever the order of the last reply, the worker's end and the grader's look, the reply is the answer."""
    events = [lambda f, m, steps=at_first_look: [step(f, m) for step in steps]]
    assert {k: v for k, v in exchange(events, before).items() if k != "blobs"} == REPLY


@pytest.mark.parametrize(
    "at_first_look",
    [[lambda f, m: f.end(m)], [lambda f, m: f.write(FIRST_HALF), lambda f, m: f.end(m)]],
    ids=["no reply", "half a reply"],
)
def test_a_worker_that_ended_without_a_whole_reply_died(at_first_look):
    """a worker seen ended with no whole message in the pipe died, and says how it ended."""
    events = [lambda f, m: [step(f, m) for step in at_first_look]]
    with pytest.raises(WorkerDied, match="exit code 0"):
        exchange(events)


@pytest.fixture
def reads_after_the_end(monkeypatch):
    """The grader reads a worker's answer to the import only once it has seen the worker end (or after 1 s):
    the order in which a busy machine lost the reply of a failed import."""
    real = WorkerProcess._read_some

    def late(self, reader):
        if not self.protections or getattr(self, "_import_answered", False):  # only the import's answer is held
            return real(self, reader)
        held = getattr(self, "_held_since", None) or time.monotonic()
        self._held_since = held
        if self.meter.alive and time.monotonic() - held < 1.0:
            return None
        message = real(self, reader)
        self._import_answered = message is not None
        return message

    monkeypatch.setattr(WorkerProcess, "_read_some", late)
    monkeypatch.setattr(channel, "TICK", 0.001)


@pytest.mark.slow
@pytest.mark.parametrize("start", ["warm", "cold"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("submission", "first_line"),
    [
        (
            HOSTILE / "missing_module.py",
            "0 points: forward.py could not be imported: ModuleNotFoundError: No module named 'scipy': "
            "the grader offers only the Python standard library, numpy",
        ),
        (BAD / "not_python", "0 points: forward.py could not be imported: SyntaxError: invalid syntax"),
    ],
    ids=["missing module", "syntax error"],
)
def test_an_import_error_read_after_the_worker_ended_is_reported(
    ch01, reads_after_the_end, monkeypatch, mode, start, submission, first_line
):
    """a failed import whose worker ended before the grader read its reply: the error, never "ended (exit code 0)"."""
    if start == "cold":
        monkeypatch.setenv("AUTOGRADER_WARM", "0")
    report = grade_submission(ch01, submission, sandbox=sandbox_for(mode, ch01))
    assert report.score == 0
    assert report.output.splitlines()[0] == first_line
