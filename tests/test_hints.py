"""`python -m autograder hint`: the manifest's hints, one at a time, gentlest first."""

import json

import pytest

from autograder import hints
from autograder.cli import main


@pytest.fixture
def state(tmp_path, monkeypatch):
    """A fresh hint record for each test, in place of build/hints_shown.json."""
    path = tmp_path / "build" / "hints_shown.json"
    monkeypatch.setattr(hints, "STATE", path)
    return path


def flat(text):
    return " ".join(text.split())


def hint_command(capsys, *args):
    code = main(["hint", "ch01_forward", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_each_call_gives_the_next_hint_then_says_all_are_used(ch01, state, capsys):
    """add_noise's hints come in the manifest's order, numbered, and a fourth call says all were shown."""
    expected = ch01.task("add_noise").hints
    assert len(expected) >= 2
    for number, hint in enumerate(expected, start=1):
        code, out, _ = hint_command(capsys, "add_noise")
        assert code == 0
        assert out.startswith(f"Hint {number} of {len(expected)}: ")
        assert flat(hint) in flat(out)
        assert all(flat(other) not in flat(out) for other in expected if other != hint)
    assert "that was the last hint" in out
    code, out, _ = hint_command(capsys, "add_noise")
    assert code == 0
    assert f"All {len(expected)} hints for add_noise have been shown" in out
    assert all(flat(hint) in flat(out) for hint in expected)


def test_tasks_are_counted_separately_and_remembered_in_the_state_file(ch01, state, capsys):
    """hints for one task do not advance another; the file records how many of each were shown."""
    hint_command(capsys, "add_noise")
    hint_command(capsys, "add_noise")
    _, out, _ = hint_command(capsys, "remove_noise")
    assert out.startswith("Hint 1 of ")
    assert flat(ch01.task("remove_noise").hints[0]) in flat(out)
    assert json.loads(state.read_text()) == {"ch01_forward/add_noise": 2, "ch01_forward/remove_noise": 1}


def test_reset_one_task_or_all(state, capsys):
    """--reset with a task starts that task over; without one, every task."""
    for task in ("add_noise", "add_noise", "noise_step"):
        hint_command(capsys, task)
    assert hint_command(capsys, "add_noise", "--reset")[0] == 0
    assert json.loads(state.read_text()) == {"ch01_forward/noise_step": 1}
    _, out, _ = hint_command(capsys, "add_noise")
    assert out.startswith("Hint 1 of ")
    assert main(["hint", "ch01_forward", "--reset"]) == 0
    assert json.loads(state.read_text()) == {}


def test_unknown_task_lists_the_tasks_and_exits_2(ch01, state, capsys):
    """a misspelt task is refused with the list of real ones, and nothing is recorded."""
    code, out, err = hint_command(capsys, "add_nosie")
    assert code == 2 and out == ""
    assert "no task 'add_nosie'" in err
    assert all(name in err for name in ch01.task_names)
    assert err.count("\n") == 1
    assert not state.exists()


def test_no_task_given_lists_the_tasks(ch01, state, capsys):
    """`make hint` without TASK says to name one of the tasks."""
    code, _, err = hint_command(capsys)
    assert code == 2
    assert "name a task" in err and all(name in err for name in ch01.task_names)


def test_damaged_state_file_starts_over(ch01, state, capsys):
    """a state file that is not JSON is replaced, starting from the first hint."""
    state.parent.mkdir(parents=True)
    state.write_text("{not json")
    _, out, _ = hint_command(capsys, "cosine_schedule")
    assert out.startswith("Hint 1 of ")
    assert json.loads(state.read_text()) == {"ch01_forward/cosine_schedule": 1}


def test_every_task_in_the_manifest_has_at_least_two_hints(assignment):
    """progressive hints need a nudge and a stronger one for each task."""
    hinted = {task.name: len(task.hints) >= 2 for task in assignment.tasks}
    assert hinted == {name: True for name in assignment.task_names}
