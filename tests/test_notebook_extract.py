"""Answers cut out of a submitted notebook: found by the release's cell ids and grade ids, never by what it claims."""

from __future__ import annotations

import copy
import json

import pytest

from autograder.channels.notebook.build import build_notebook
from autograder.channels.notebook.extract import Released, extract_answers

pytest.importorskip("nbformat", reason="the nbgrader extra is installed by `make test`")


@pytest.fixture(scope="module")
def release(ch01) -> dict:
    """The source notebook as plain JSON: its answer cells hold the reference."""
    return json.loads(json.dumps(build_notebook(ch01)))


@pytest.fixture(scope="module")
def released(release, ch01) -> Released:
    return Released.from_notebook(release, ch01.task_names)


def _answer_cell(notebook: dict, task: str) -> dict:
    return next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == task)


def _extract(notebook: dict, released: Released):
    return extract_answers(json.dumps(notebook).encode(), released)


def test_untouched_answers_are_the_module_and_nothing_is_noted(release, released, ch01):
    """each task's answer is its cell's source; the module compiles; no note."""
    answers = _extract(release, released)
    assert answers.notes == []
    assert answers.by_task == {task: _answer_cell(release, task)["source"] for task in ch01.task_names}
    assert answers.unchanged == set(ch01.task_names)
    compile(answers.module, "forward.py", "exec")
    assert answers.module.startswith(released.setup)


def test_a_duplicated_answer_cell_leaves_that_task_unanswered_with_a_reason(release, released, ch01):
    """two cells with add_noise's cell id: add_noise is not taken from either; the other tasks are."""
    notebook = copy.deepcopy(release)
    cell = _answer_cell(notebook, "add_noise")
    notebook["cells"].insert(notebook["cells"].index(cell), copy.deepcopy(cell))
    answers = _extract(notebook, released)
    assert answers.by_task["add_noise"] is None
    assert [task for task, source in answers.by_task.items() if source is None] == ["add_noise"]
    assert any("2 cells claim to be the answer cell of add_noise" in note for note in answers.notes)
    assert "def add_noise" not in answers.module


def test_without_cell_ids_the_grade_id_finds_the_answer(release, released):
    """a notebook saved by an older Jupyter (no cell ids) is read by grade id, silently."""
    notebook = copy.deepcopy(release)
    for cell in notebook["cells"]:
        cell.pop("id", None)
    answers = _extract(notebook, released)
    assert answers.notes == [] and None not in answers.by_task.values()


def test_a_deleted_answer_cell_is_replaced_by_the_one_added_cell_defining_the_function(release, released):
    """the answer cell is gone but one cell the student added defines add_noise: that is graded, and said so."""
    notebook = copy.deepcopy(release)
    cell = _answer_cell(notebook, "add_noise")
    notebook["cells"].remove(cell)
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "source": cell["source"], "outputs": []})
    answers = _extract(notebook, released)
    assert answers.by_task["add_noise"] == cell["source"]
    assert answers.notes == [
        "the answer cell of add_noise was missing; the one cell defining add_noise was graded instead"
    ]


def test_a_deleted_answer_cell_with_no_replacement_gets_no_points_and_a_reason(release, released):
    """nothing defines add_noise any more: it is unanswered, with a reason."""
    notebook = copy.deepcopy(release)
    notebook["cells"].remove(_answer_cell(notebook, "add_noise"))
    answers = _extract(notebook, released)
    assert answers.by_task["add_noise"] is None
    assert answers.notes == [
        "no cell holds your answer to add_noise (its answer cell was deleted or changed); it got no points"
    ]


def test_notebook_commands_are_not_run_and_a_syntax_error_costs_only_its_task(release, released):
    """a %magic line is commented out (noted); a cell that is not Python leaves only its own task unanswered."""
    notebook = copy.deepcopy(release)
    cell = _answer_cell(notebook, "add_noise")
    cell["source"] = cell["source"].replace("    eps = ", "    %time pass\n    eps = ", 1)
    _answer_cell(notebook, "cosine_schedule")["source"] = "def cosine_schedule(T=1000):\n    return (\n"
    answers = _extract(notebook, released)
    assert "    pass  # %time pass" in answers.by_task["add_noise"]
    assert answers.by_task["cosine_schedule"] is None
    compile(answers.module, "forward.py", "exec")
    assert any(note.startswith("your answer to cosine_schedule is not valid Python (line 2") for note in answers.notes)
    assert any("lines starting with % or !" in note for note in answers.notes)


@pytest.mark.parametrize("data", [b"\xff\xfe not json", b"[1, 2]", b'{"cells": "none"}', b"{" * 100_000])
def test_a_file_that_is_no_notebook_is_graded_as_empty_with_a_reason(released, data):
    """bytes that are not a notebook: no task answered, and a note says the notebook could not be read."""
    answers = extract_answers(data, released)
    assert set(answers.by_task.values()) == {None}
    assert "nothing was graded" in answers.notes[0]
    assert answers.module == released.setup + "\n"


def test_metadata_claiming_grades_is_noted_and_changes_no_answer(release, released):
    """an answer cell marked graded, an added cell claiming a test cell's grade id: both noted, answers unchanged."""
    notebook = copy.deepcopy(release)
    _answer_cell(notebook, "add_noise")["metadata"]["nbgrader"].update(grade=True, points=50)
    test_id = sorted(released.graded)[0]
    claim = {"grade": True, "grade_id": test_id, "locked": False, "points": 100, "solution": False}
    notebook["cells"].insert(3, {"cell_type": "code", "metadata": {"nbgrader": claim}, "source": "pass", "outputs": []})
    answers = _extract(notebook, released)
    assert answers.by_task == _extract(release, released).by_task
    assert len(answers.notes) == 3
    assert any("answer cell of add_noise is marked as graded" in note for note in answers.notes)
    assert any("claims the grade id of one of the course's test cells" in note for note in answers.notes)
