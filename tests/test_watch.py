"""make watch: one warm grader regrades the working copy on every save."""

from __future__ import annotations

import io
import shutil
import threading
import time

from autograder.course import PROJECT_ROOT, get_assignment
from autograder.grade import grade_submission
from autograder.watch import watch

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
