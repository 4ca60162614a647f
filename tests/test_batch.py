"""grade-all: a class of 30 submissions graded in parallel, each exactly as grading it alone would."""

import csv
import json
import shutil
from pathlib import Path

import pytest
from batch_graders import dies_on_crash
from wrong_variants import EDITS, write_wrong

from autograder.channels.batch import find_submissions, grade_all, student_id
from autograder.cli import main

REFERENCE_COPIES = 12
STUB_COPIES = 8


def make_class(folder, ch01):
    """A submissions folder: reference and stub copies, wrong variants, and broken or hostile uploads.

    Returns student id -> what it is (for the expected score).
    """
    kinds = {}
    for i in range(REFERENCE_COPIES):
        if i % 2:  # half upload a bare file, half a folder
            shutil.copyfile(ch01.solution, folder / f"ref{i:02d}.py")
        else:
            (folder / f"ref{i:02d}").mkdir()
            shutil.copyfile(ch01.solution, folder / f"ref{i:02d}" / "forward.py")
        kinds[f"ref{i:02d}"] = "reference"
    for i in range(STUB_COPIES):
        (folder / f"stub{i:02d}").mkdir()
        shutil.copyfile(ch01.folder / "forward.py", folder / f"stub{i:02d}" / "forward.py")
        kinds[f"stub{i:02d}"] = "stub"
    for name in EDITS:
        for copy in range(2):
            write_wrong(ch01.solution, name, folder / f"{name}_{copy}" / "src" / "forward.py")
            kinds[f"{name}_{copy}"] = name
    (folder / "syntax_error.py").write_text("def cosine_schedule(T=1000:\n    pass\n")
    kinds["syntax_error"] = "syntax_error"
    (folder / "exits_on_import.py").write_text("import os\nos._exit(3)\n")
    kinds["exits_on_import"] = "exits_on_import"
    (folder / "nothing_uploaded").mkdir()
    kinds["nothing_uploaded"] = "cannot_grade"
    for sub in ("a", "b"):
        (folder / "two_files" / sub).mkdir(parents=True)
        shutil.copyfile(ch01.solution, folder / "two_files" / sub / "forward.py")
    kinds["two_files"] = "cannot_grade"
    (folder / ".DS_Store").write_text("not a student")
    return kinds


@pytest.fixture(scope="module")
def graded(tmp_path_factory, ch01):
    """The class graded once with `python -m autograder grade-all` on every core."""
    base = tmp_path_factory.mktemp("batch")
    submissions, out = base / "submissions", base / "out"
    submissions.mkdir()
    kinds = make_class(submissions, ch01)
    assert main(["grade-all", "ch01_forward", str(submissions), "--out", str(out)]) == 0
    with open(out / "grades.csv", newline="") as rows:
        gradebook = {row["student"]: row for row in csv.DictReader(rows)}
    return kinds, submissions, out, gradebook


def test_student_ids_come_from_names():
    """a folder's name or a file's stem is the id, made safe for a folder name."""
    assert student_id(Path("/x/alice.py")) == "alice"
    assert student_id(Path("/x/Bob Smith (late)")) == "Bob_Smith__late_"


@pytest.mark.slow
def test_every_student_is_in_the_gradebook(graded):
    """grades.csv has one row per submission (hidden entries skipped) and nothing else."""
    kinds, submissions, _, gradebook = graded
    assert len(kinds) >= 30
    assert set(gradebook) == set(kinds) == set(find_submissions(submissions))


@pytest.mark.slow
def test_scores_match_grading_each_one_alone(graded, ch01, grade):
    """every student's score and per-task scores equal what grade_submission gives that submission alone."""
    kinds, submissions, _, gradebook = graded
    top = grade(ch01.solution).max_score
    expected = {"reference": top, "stub": 0.0, "syntax_error": 0.0, "exits_on_import": 0.0, "cannot_grade": 0.0}
    for name in EDITS:
        alone = grade(submissions / f"{name}_0")
        assert 0 < alone.score < top
        expected[name] = alone.score
    for student, kind in kinds.items():
        row = gradebook[student]
        assert float(row["score"]) == expected[kind], student
        assert float(row["max_score"]) == top
        assert sum(float(row[task]) for task in ch01.task_names) == float(row["score"])


@pytest.mark.slow
def test_broken_submissions_are_recorded_with_the_reason(graded):
    """uploads that cannot be graded get 0, a status and a one-line reason; the rest say graded."""
    kinds, _, _, gradebook = graded
    status = {student: row["status"] for student, row in gradebook.items()}
    for student in ("nothing_uploaded", "two_files"):
        assert status[student] in ("rejected", "error")
        assert "forward.py" in gradebook[student]["reason"]
    assert status["syntax_error"] == status["exits_on_import"] == "rejected"
    assert "SyntaxError" in gradebook["syntax_error"]["reason"]
    assert {status[s] for s, kind in kinds.items() if kind in ("reference", "stub", *EDITS)} == {"graded"}


@pytest.mark.slow
def test_each_student_gets_results_and_the_class_a_summary(graded):
    """OUT/<id>/results.json for everyone (errors included), and a PNG summary of the class."""
    kinds, _, out, gradebook = graded
    for student in kinds:
        results = json.loads((out / student / "results.json").read_text())
        assert results["score"] == float(gradebook[student]["score"])
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_a_dying_grader_process_costs_only_its_own_submission(tmp_path, ch01):
    """when a grader process dies on one submission, the others are graded and it is recorded as an error."""
    for student in ("crash", "ok1", "ok2"):
        (tmp_path / student).mkdir()
        shutil.copyfile(ch01.solution, tmp_path / student / "forward.py")
    outcomes = grade_all(
        ch01, find_submissions(tmp_path), jobs=2, suites=("public",), progress=False, grader=dies_on_crash
    )
    by_student = {o.student: o for o in outcomes}
    assert by_student["crash"].status == "error" and by_student["crash"].report.score == 0
    assert "died twice" in by_student["crash"].report.output
    for student in ("ok1", "ok2"):
        assert by_student[student].status == "graded"
        assert by_student[student].report.score == by_student[student].report.max_score > 0
