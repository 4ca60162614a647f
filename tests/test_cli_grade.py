"""`python -m autograder grade`: exit status, results file, table and pointers."""

import json

import pytest

from autograder.cli import main


def test_grade_writes_results_and_exits_zero_even_with_zero_points(ch01, tmp_path, capsys):
    """the stubs get a grade (0 points), results.json, exit status 0 and a pointer to the figures."""
    results = tmp_path / "out" / "results.json"
    code = main(["grade", "ch01_forward", "--submission", str(ch01.folder), "--results", str(results)])
    printed = capsys.readouterr().out
    data = json.loads(results.read_text())
    assert code == 0
    assert data["score"] == 0 == sum(t["score"] for t in data["tests"])
    assert printed.startswith(f"ch01_forward: 0 / {data['max_score']:g} points")
    assert "a picture: make figures\n" in printed  # pasted as printed, it runs (no venv python needed)


@pytest.mark.slow
def test_full_marks_need_no_pointer(ch01, tmp_path, capsys):
    """the reference's table shows every task passed and no pointer to the figures."""
    code = main(["grade", "ch01_forward", "--submission", str(ch01.solution), "--results", str(tmp_path / "r.json")])
    printed = capsys.readouterr().out
    assert code == 0
    assert all(f"{task}" in printed for task in ch01.task_names)
    assert "What to fix" not in printed and "autograder figures" not in printed


def test_nothing_to_grade_exits_two_with_one_line(tmp_path, capsys):
    """a missing path is not a grade: exit status 2 and a one-line reason on stderr."""
    code = main(
        ["grade", "ch01_forward", "--submission", str(tmp_path / "nowhere.py"), "--results", str(tmp_path / "r.json")]
    )
    error = capsys.readouterr().err
    assert code == 2
    assert error.count("\n") == 1 and "no such file or folder" in error
    assert not (tmp_path / "r.json").exists()


def test_unknown_assignment_exits_two_naming_the_known_ones(tmp_path, capsys):
    """an assignment id that is not in course.toml is refused with the list of known ones."""
    code = main(["grade", "ch99", "--results", str(tmp_path / "r.json")])
    assert code == 2
    assert "ch01_forward" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("buffered", [True, False])
def test_output_cut_short_by_its_reader_leaves_results_and_no_traceback(ch01, tmp_path, buffered):
    """`grade | head`, the reader gone before the table: results.json is written, exit 0, no traceback."""
    import os  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    results = tmp_path / "results.json"
    wrong = tmp_path / "forward.py"
    wrong.write_text(ch01.solution.read_text().replace("np.sqrt(a) * x0", "a * x0"))
    env = {**os.environ, "PYTHONUNBUFFERED": "" if buffered else "1"}
    command = [sys.executable, "-m", "autograder", "grade", ch01.id, "--submission", str(wrong)]
    with subprocess.Popen(
        [*command, "--results", str(results)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as grader:
        grader.stdout.close()  # the reader left before the first line
        errors = grader.stderr.read()
    assert grader.returncode == 0, errors
    assert b"Traceback" not in errors and b"Exception ignored" not in errors, errors
    assert 0 < json.loads(results.read_text())["score"] < json.loads(results.read_text())["max_score"]
