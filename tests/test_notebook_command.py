"""nbgrader-grade: a hidden check broken by its own error gives no grade."""

import json
from types import SimpleNamespace

from autograder.channels.notebook import command
from autograder.channels.notebook.hidden import BROKEN_CHECK


def _graded_notebook(course, student, assignment, stderr_lines):
    folder = course / "autograded" / student / assignment
    folder.mkdir(parents=True)
    outputs = [{"output_type": "stream", "name": "stderr", "text": [line + "\n" for line in stderr_lines]}]
    cells = [{"cell_type": "code", "source": "", "outputs": outputs}, {"cell_type": "markdown", "source": "x"}]
    (folder / f"{assignment}.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")


def test_broken_checks_are_counted_once_per_notebook(tmp_path):
    """marks of broken checks are read from every autograded notebook; failures of students' code are not marks."""
    _graded_notebook(tmp_path, "alice", "ch01_forward", [f"{BROKEN_CHECK}: add_noise: one", "add_noise: off by 2"])
    _graded_notebook(tmp_path, "bob", "ch01_forward", [f"{BROKEN_CHECK}: add_noise: one"] * 2)
    _graded_notebook(tmp_path, "carol", "other", [f"{BROKEN_CHECK}: add_noise: two"])
    assert command.broken_checks(tmp_path, "ch01_forward") == {"add_noise: one": 2}


def test_a_broken_check_stops_feedback_and_export(ch01, tmp_path, monkeypatch, capsys):
    """after autograde finds a broken check, neither feedback nor grades.csv is made, and the exit is 1."""
    ran = []

    def nbgrader(course, arguments):
        ran.append(arguments[0])
        if arguments[0] == "autograde":
            _graded_notebook(course, "alice", ch01.id, [f"{BROKEN_CHECK}: add_noise: one"])
        return 0

    monkeypatch.setattr(command, "_nbgrader", nbgrader)
    assert command.run_grade(SimpleNamespace(assignment=ch01.id, course=tmp_path)) == 1
    assert ran == ["autograde"]
    assert "add_noise: one (in 1 notebook)" in capsys.readouterr().err
