"""nbgrader-grade's exits: a broken check or a stale course folder gives no feedback and no grades.csv."""

from types import SimpleNamespace

import pytest

from autograder import cli
from autograder.channels.notebook import command, grading
from autograder.grade import ChecksBroken

pytest.importorskip("nbgrader", reason="the nbgrader extra is installed by `make test`")


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course folder whose nbgrader commands are recorded instead of run."""
    (tmp_path / "nbgrader_config.py").write_text("", encoding="utf-8")
    ran = []
    monkeypatch.setattr(command, "_nbgrader", lambda course, *commands: ran.extend(commands) or 0)
    return SimpleNamespace(path=tmp_path, ran=ran)


def _fails_with(error):
    def grade_class(course, assignment, students=None):
        raise error

    return grade_class


def test_a_broken_check_stops_feedback_and_export(ch01, course, monkeypatch, capsys):
    """a check broken by its own error: exit 1, the check named, neither feedback nor grades.csv made."""
    monkeypatch.setattr(grading, "grade_class", _fails_with(ChecksBroken(["add_noise: one"])))
    assert command.run_grade(SimpleNamespace(assignment=ch01.id, course=course.path)) == 1
    assert course.ran == []
    err = capsys.readouterr().err
    assert "add_noise: one" in err and "no feedback and no grades.csv were written" in err


def test_a_course_folder_not_released_is_the_users_mistake(ch01, course, capsys):
    """without release/<id>/<id>.ipynb: exit 2 with one line saying to release first."""
    assert command.run_grade(SimpleNamespace(assignment=ch01.id, course=course.path)) == 2
    assert course.ran == []
    assert capsys.readouterr().err.strip().endswith("is missing; run nbgrader-release first")


def test_student_option_gives_feedback_to_those_students_and_exports_the_class(ch01, course, monkeypatch):
    """--student twice: those two are graded and get feedback (a name is no file pattern); grades.csv is the class."""
    asked = []

    def grade_class(course, assignment, students=None):
        asked.append(students)
        return [grading.Row(student, 1.0, 2.0, [], 0.0) for student in sorted(students)]

    monkeypatch.setattr(grading, "grade_class", grade_class)
    arguments = cli.build_parser().parse_args(
        ["nbgrader-grade", ch01.id, "--course", str(course.path), "--student", "bob", "--student", "a*"]
    )
    assert command.run_grade(arguments) == 0
    assert asked == [["bob", "a*"]]
    feedback = ["generate_feedback", ch01.id, "--force"]
    assert course.ran == [
        [*feedback, "--student=a[*]"],
        [*feedback, "--student=bob"],
        ["export", "--to", "grades.csv"],
    ]
