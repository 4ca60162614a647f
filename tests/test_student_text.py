"""Student text reaches no output raw: the terminal table, results.json and the gradebook stay clean.

The submissions in tests/hostile/ raise and print terminal control (clear screen,
window title, an OSC 52 clipboard write, a fake green full score, a conceal code)
and lone surrogates in add_noise; the rest of each is the reference. So each
scores exactly the reference's points minus add_noise's, and every output of
the grading must hold no byte a terminal acts on.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.channels import classroom
from autograder.course import PROJECT_ROOT
from autograder.grade import grade_submission

HOSTILE = Path(__file__).parent / "hostile"
# C0 controls but tab and newline, DEL, and the C1 controls as UTF-8 (\xc2\x80-\xc2\x9f).
TERMINAL_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@pytest.fixture(scope="module")
def reference_report(ch01):
    return grade_submission(ch01, ch01.solution)


def run_autograder(*args, env=None) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS`` as `make grade` runs it; output kept as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)],
        capture_output=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def graded_by_command(tmp_path_factory):
    """`python -m autograder grade` of a hostile file, once per module: (the finished process, its results.json)."""
    done = {}

    def grade(name: str) -> tuple[subprocess.CompletedProcess, Path]:
        if name not in done:
            results = tmp_path_factory.mktemp("graded") / "results.json"
            finished = run_autograder("grade", "ch01_forward", "--submission", HOSTILE / name, "--results", results)
            done[name] = finished, results
        return done[name]

    return grade


def clean_json(path: Path) -> dict:
    """results.json parsed strictly: ASCII text, and no string in it holds a control or a surrogate."""
    data = json.loads(path.read_bytes().decode("ascii"))
    strings = []

    def collect(node):
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, dict):
            strings.extend(node)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(data)
    assert [s for s in strings if CONTROL_CHARACTERS.search(s)] == []
    return data


def expected_without_add_noise(reference) -> float:
    return reference.max_score - sum(t.max_score for t in reference.tests if t.task == "add_noise")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["terminal_control.py", "surrogate_in_error.py"])
def test_hostile_text_costs_exactly_the_function_it_is_in(name, graded_by_command, reference_report):
    """terminal control or lone surrogates in add_noise: exit 0, exactly add_noise's points lost, outputs clean."""
    done, results = graded_by_command(name)
    assert done.returncode == 0, done.stderr
    assert TERMINAL_BYTES.search(done.stdout) is None and TERMINAL_BYTES.search(done.stderr) is None
    printed = done.stdout.decode("utf-8")
    # The fake score line never starts a line of its own: only the grader's does.
    assert [line for line in printed.splitlines() if line.startswith("ch01_forward:")] == [
        f"ch01_forward: {expected_without_add_noise(reference_report):g} / {reference_report.max_score:g} points"
    ]
    data = clean_json(results)
    assert data["score"] == expected_without_add_noise(reference_report)
    tasks = {t.name: t.task for t in reference_report.tests}
    assert {t["name"] for t in data["tests"] if t["score"] < t["max_score"]} == {
        n for n, task in tasks.items() if task == "add_noise"
    }


@pytest.mark.slow
def test_terminal_control_keeps_the_words_a_student_needs(graded_by_command):
    """what the student's code printed and raised is still shown, without the control codes."""
    done, _ = graded_by_command("terminal_control.py")
    printed = done.stdout.decode("utf-8")
    assert "add_noise raised ValueError: ch01_forward: 123 / 123 points" in printed
    assert "Your code printed:" in printed and "\\u202eoverride" in printed


@pytest.mark.slow
def test_lone_surrogate_at_import_gets_zero_with_the_reason(tmp_path):
    """an import error holding a lone surrogate: 0 points, exit 0, the reason with U+FFFD in its place."""
    results = tmp_path / "results.json"
    done = run_autograder(
        "grade", "ch01_forward", "--submission", HOSTILE / "surrogate_at_import.py", "--results", results
    )
    assert done.returncode == 0, done.stderr
    data = clean_json(results)
    assert data["score"] == 0 and data["max_score"] > 0
    assert (
        data["output"].splitlines()[0]
        == "0 points: forward.py could not be imported: ImportError: lone \ufffd surrogate"
    )
    assert "lone \ufffd surrogate" in done.stdout.decode("utf-8")


@pytest.mark.slow
def test_a_terminal_in_ascii_gets_escapes_not_a_crash(tmp_path, reference_report):
    """with stdout in ASCII (LANG=C), text the encoding lacks is escaped; the grade is printed, exit 0."""
    results = tmp_path / "results.json"
    done = run_autograder(
        "grade",
        "ch01_forward",
        "--submission",
        HOSTILE / "surrogate_in_error.py",
        "--results",
        results,
        env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
    )
    assert done.returncode == 0, done.stderr
    done.stdout.decode("ascii")
    assert b"lone \\ufffd surrogate" in done.stdout
    assert clean_json(results)["score"] == expected_without_add_noise(reference_report)


@pytest.mark.slow
def test_grade_all_survives_hostile_text_and_names(tmp_path, ch01, reference_report):
    """a class with hostile text and names: every student graded with the exact score, outputs clean."""
    submissions, out = tmp_path / "class", tmp_path / "out"
    submissions.mkdir()
    top, without = reference_report.max_score, expected_without_add_noise(reference_report)
    expected = {"ref": top, "terminal_control": without, "surrogate_in_error": without, "surrogate_at_import": 0}
    shutil.copyfile(ch01.solution, submissions / "ref.py")
    for name in ("terminal_control", "surrogate_in_error", "surrogate_at_import"):
        shutil.copyfile(HOSTILE / f"{name}.py", submissions / f"{name}.py")
    # Names a student picks: a formula, terminal control, bytes that are not UTF-8.
    for raw, student in ((b'=HYPERLINK("x")', "_HYPERLINK__x__"), (b"\x1b[2Jeve", "__2Jeve"), (b"caf\xe9", "caf_")):
        folder = os.path.join(os.fsencode(submissions), raw)
        os.mkdir(folder)
        shutil.copyfile(ch01.solution, os.path.join(folder, b"forward.py"))
        expected[student] = top
    done = run_autograder("grade-all", "ch01_forward", submissions, "--out", out, "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert TERMINAL_BYTES.search(done.stdout) is None
    text = (out / "grades.csv").read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["student"]: float(row["score"]) for row in rows} == expected
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert [c for c in cells if c.lstrip().startswith(("=", "+", "-", "@"))] == []
    assert [c for c in cells if CONTROL_CHARACTERS.search(c)] == []
    for student, score in expected.items():
        assert clean_json(out / student / "results.json")["score"] == score
    assert (out / "summary.png").read_bytes()[:4] == b"\x89PNG"


def test_classroom_job_summary_shows_hostile_text_literally(ch01):
    """the Markdown job summary of a hostile submission: no control code, every message in a fence it cannot close."""
    report = grade_submission(ch01, HOSTILE / "terminal_control.py", suites=("public",))
    report.tests[0].name += " <img src=x onerror=alert(1)>"
    report.tests[0].score = 0.0
    summary = classroom.step_summary(report, ch01)
    assert CONTROL_CHARACTERS.search(summary) is None
    assert "<img" not in summary and "&lt;img src=x onerror=alert(1)&gt;" in summary
    fences = [line for line in summary.splitlines() if line.startswith("```")]
    assert fences and len(fences) % 2 == 0
    runners = classroom.runner_results(report, ch01)
    messages = [test["message"] for runner in runners.values() for test in runner["tests"]]
    assert any("123 / 123 points" in m for m in messages)
    assert [m for m in messages if CONTROL_CHARACTERS.search(m)] == []
