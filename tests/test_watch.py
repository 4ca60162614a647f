"""make watch: one warm grader regrades the working copy on every save."""

from __future__ import annotations

import io
import shutil
import threading
import time

import pytest

from autograder.course import PROJECT_ROOT, get_assignment
from autograder.grade import grade_submission
from autograder.results import render_table
from autograder.watch import CLEAR, fit_to_screen, watch

WRONG = PROJECT_ROOT / "tests" / "submissions" / "ch01_forward" / "wrong" / "add_noise_no_sqrt.py"


class Screen(io.StringIO):
    """What watch draws, readable while it runs."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text):
        with self.lock:
            return super().write(text)

    def text(self):
        with self.lock:
            return self.getvalue()


def _wait_for(screen, count, seconds=120):
    deadline = time.monotonic() + seconds
    while screen.text().count("Watching for the next save") < count:
        assert time.monotonic() < deadline, screen.text()[-2000:]
        time.sleep(0.05)


@pytest.mark.slow
def test_regrades_on_every_save_until_stopped(tmp_path):
    """each save redraws the table with the new score; setting the stop event ends the watch."""
    assignment = get_assignment("ch01_forward")
    working = tmp_path / assignment.filename
    shutil.copyfile(assignment.folder / assignment.filename, working)
    screen, stop = Screen(), threading.Event()
    drawn = []
    thread = threading.Thread(target=lambda: drawn.append(watch(assignment, working, out=screen, stop_event=stop)))
    thread.start()
    try:
        _wait_for(screen, 1)
        first = screen.text()
        time.sleep(0.2)  # let the watcher start listening before the first save
        shutil.copyfile(assignment.solution, working)
        _wait_for(screen, 2)
        shutil.copyfile(WRONG, working)
        _wait_for(screen, 3)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive()
    tables = screen.text().split("-" * 72)
    total = f"{grade_submission(assignment, assignment.solution).max_score:g}"  # read from the suites
    assert f"0 / {total} points" in first
    assert f"{total} / {total} points" in tables[-2]
    wrong_score = tables[-1].splitlines()[1]
    assert wrong_score.startswith(f"{assignment.id}: ") and f"{total} / {total}" not in wrong_score
    assert "known mistake" in tables[-1]
    assert drawn == [3]


class Terminal(Screen):
    """A screen that says it is a terminal, as a student's is."""

    def isatty(self):
        return True


HOSTILE = PROJECT_ROOT / "tests" / "hostile"


def _rows_on(frame: str, columns: int) -> int:
    """Rows a frame takes on a terminal of ``columns`` (what a \\r rewrote counts once)."""
    return sum(max(1, -(-len(line.split("\r")[-1]) // columns)) for line in frame.rstrip("\n").split("\n"))


@pytest.mark.slow
def test_a_save_is_announced_at_once_then_graded_in_a_frame_that_fits_80x24(tmp_path):
    """on a terminal, a save clears the old score and says it is grading (counting seconds while a slow import
    runs); every frame drawn fits 80x24, with the score line first and the table whole."""
    assignment = get_assignment("ch01_forward")
    working = tmp_path / assignment.filename
    shutil.copyfile(assignment.solution, working)
    slow = "import time\ntime.sleep(3)\n" + (HOSTILE / "workflow_commands.py").read_text()
    screen, stop = Terminal(), threading.Event()
    thread = threading.Thread(target=lambda: watch(assignment, working, out=screen, stop_event=stop, size=(80, 24)))
    thread.start()
    try:
        _wait_for(screen, 1)
        time.sleep(0.2)  # let the watcher start listening before the save
        working.write_text(slow)
        _wait_for(screen, 2)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive()
    frames = [frame for frame in screen.text().split(CLEAR) if frame]
    total = f"{grade_submission(assignment, assignment.solution).max_score:g}"
    announced = [i for i, frame in enumerate(frames) if "saved: grading it now" in frame]
    assert len(announced) == 1 and 0 < announced[0] < len(frames) - 1
    before, during, after = frames[announced[0] - 1], frames[announced[0]], frames[announced[0] + 1]
    assert f"{total} / {total} points" in before and "points" not in during  # the old score is gone at once
    assert "\r" in during and during.rstrip().endswith(" s")  # the seconds are counted while the import sleeps
    assert after.startswith(f"{assignment.id}: ") and "Watching for the next save" in after
    for frame in frames:
        assert _rows_on(frame, 80) <= 23, frame
    table = render_table(grade_submission(assignment, working), assignment.task_names).split("\n")
    assert after.split("\n")[: table.index("", 2)] == table[: table.index("", 2)]  # score line and table whole
    assert "more lines of feedback: make grade prints them all" in after


@pytest.mark.slow
def test_fit_to_screen_keeps_the_table_and_counts_what_it_cut():
    """a long report on 80x24: the score line, the table and the status stay; the feedback is cut with a count."""
    assignment = get_assignment("ch01_forward")
    text = render_table(grade_submission(assignment, HOSTILE / "terminal_control.py"), assignment.task_names)
    status = "[12:00:00] forward.py saved, graded in 1.00 s. Watching for the next save; Ctrl-C stops."
    fitted = fit_to_screen(text, status, (80, 24)).split("\n")
    lines = text.split("\n")
    head = lines.index("", 2)
    assert fitted[:head] == lines[:head] and fitted[-1] == status
    assert _rows_on("\n".join(fitted), 80) <= 23
    cut = int(fitted[-2].split()[1])
    assert fitted[-2] == f"... {cut} more lines of feedback: make grade prints them all"
    assert fitted[head:-2] == lines[head : len(lines) - cut]
    assert fit_to_screen("a: 1 / 2 points\n\n  t", status, (80, 24)) == f"a: 1 / 2 points\n\n  t\n{status}"
