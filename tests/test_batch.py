"""grade-all: a class of 30 submissions graded in parallel, each exactly as grading it alone would."""

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from batch_graders import dies_on_crash
from wrong_variants import EDITS, write_wrong

from autograder.channels import batch
from autograder.channels.batch import (
    AmbiguousStudents,
    Outcome,
    failed_by_task,
    find_submissions,
    grade_all,
    plot_summary,
    student_id,
    warn_if_open_to_others,
)
from autograder.cli import main
from autograder.results import GradeReport
from autograder.results import TestResult as Check

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow

# Thirty entries, most of them quick to grade: the reference's copies (half files, half folders)
# are the dearest, and four show what a dozen would.
REFERENCE_COPIES = 4
STUB_COPIES = 16


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


def test_every_student_is_in_the_gradebook(graded):
    """grades.csv has one row per submission (hidden entries skipped) and nothing else."""
    kinds, submissions, _, gradebook = graded
    assert len(kinds) >= 30
    assert set(gradebook) == set(kinds) == set(find_submissions(submissions))


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


def test_each_student_gets_results_and_the_class_a_summary(graded):
    """OUT/<id>/results.json for everyone (errors included), and a PNG summary of the class."""
    kinds, _, out, gradebook = graded
    for student in kinds:
        results = json.loads((out / student / "results.json").read_text())
        assert results["score"] == float(gradebook[student]["score"])
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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


# -- mix-ups: ambiguous ids, what each row graded, the output folder -----------------------


def grade_all_cli(submissions, out, *more):
    return main(["grade-all", "ch01_forward", str(submissions), "--out", str(out), "--suites", "public", *more])


def test_an_ambiguous_id_stops_the_batch_naming_both_paths(tmp_path, ch01, capsys):
    """a folder s01_ada and a file s01_ada.py: exit 2 before anyone is graded, both paths named, OUT untouched."""
    submissions = tmp_path / "class"
    (submissions / "s01_ada").mkdir(parents=True)
    shutil.copyfile(ch01.solution, submissions / "s01_ada" / "forward.py")
    shutil.copyfile(ch01.solution, submissions / "s01_ada.py")
    shutil.copyfile(ch01.solution, submissions / "s02_bob.py")
    assert grade_all_cli(submissions, tmp_path / "out") == 2
    error = capsys.readouterr().err
    assert error == (
        f"autograder: submissions share a student id: s01_ada is both {submissions / 's01_ada'} "
        f"and {submissions / 's01_ada.py'}; rename or remove one, then grade again (nobody was graded)\n"
    )
    assert not (tmp_path / "out").exists()


def test_ids_equal_but_for_case_are_ambiguous(tmp_path):
    """ "Ada" and "ada.py" would share a results folder on macOS and Windows: refused as well."""
    (tmp_path / "Ada").mkdir()
    (tmp_path / "ada.py").write_text("")
    (tmp_path / "Bob Smith").mkdir()
    (tmp_path / "Bob_Smith.py").write_text("")
    with pytest.raises(AmbiguousStudents, match=r"Ada is both .*Bob_Smith is both"):
        find_submissions(tmp_path)


def test_gradebook_names_the_entry_and_the_file_it_graded(graded):
    """each row says which entry of SUBMISSIONS it is and which file in it was graded (none when rejected)."""
    _, _, _, gradebook = graded
    assert (gradebook["ref00"]["submission"], gradebook["ref00"]["graded"]) == ("ref00/", "ref00/forward.py")
    assert (gradebook["ref01"]["submission"], gradebook["ref01"]["graded"]) == ("ref01.py", "ref01.py")
    name = next(iter(EDITS))
    assert gradebook[f"{name}_0"]["graded"] == f"{name}_0/src/forward.py"
    assert (gradebook["two_files"]["submission"], gradebook["two_files"]["graded"]) == ("two_files/", "")


def test_a_second_run_replaces_the_first_and_keeps_other_files(tmp_path, ch01):
    """re-running into OUT drops students no longer there, regrades the rest, and keeps files of others."""
    submissions, out = tmp_path / "class", tmp_path / "out"
    submissions.mkdir()
    for student in ("ada", "bob"):
        shutil.copyfile(ch01.solution, submissions / f"{student}.py")
    assert grade_all_cli(submissions, out) == 0
    (out / "notes.txt").write_text("the instructor's")
    (submissions / "bob.py").unlink()
    shutil.copyfile(ch01.folder / "forward.py", submissions / "cy.py")
    assert grade_all_cli(submissions, out) == 0
    with open(out / "grades.csv", newline="") as rows:
        scores = {row["student"]: float(row["score"]) for row in csv.DictReader(rows)}
    assert scores["cy"] == 0 < scores["ada"] and list(scores) == ["ada", "cy"]
    assert sorted(p.name for p in out.iterdir()) == [
        ".grade-all.json",
        "ada",
        "class_report.html",
        "cy",
        "grades.csv",
        "notes.txt",
        "summary.png",
    ]
    assert (out / "notes.txt").read_text() == "the instructor's"


def test_a_folder_grade_all_did_not_write_is_refused_untouched(tmp_path, ch01, capsys):
    """a non-empty OUT without grade-all's manifest: exit 2 before grading, nothing in it changed."""
    submissions, out = tmp_path / "class", tmp_path / "out"
    submissions.mkdir()
    shutil.copyfile(ch01.solution, submissions / "ada.py")
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    assert grade_all_cli(submissions, out) == 2
    assert "already holds files that grade-all did not write (thesis.tex)" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_out_inside_submissions_is_never_graded(tmp_path, ch01, capsys):
    """OUT inside SUBMISSIONS: the second run grades the same students, not one called after OUT."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copyfile(ch01.solution, submissions / "ada.py")
    for _ in range(2):
        assert grade_all_cli(submissions, submissions / "graded") == 0
    with open(submissions / "graded" / "grades.csv", newline="") as rows:
        assert [row["student"] for row in csv.DictReader(rows)] == ["ada"]
    assert f"skipped {submissions / 'graded'}: it is grade-all's output" in capsys.readouterr().err
    # An older output folder moved in later is recognised by its manifest.
    (submissions / "graded").rename(submissions / "old_results")
    assert list(find_submissions(submissions)) == ["ada"]


# Entries grade-all must not mistake: links (never followed) and names like its own outputs.
ODD_ENTRIES = {"alice", "cheat", "copycat", "grades.csv-student", "summary.png-student", "__carol", "dave"}
NAMED_LIKE_OUTPUTS = ("grades.csv-student", "summary.png-student", "__carol", "dave")


@pytest.fixture(scope="module")
def odd_entries(tmp_path_factory, ch01):
    """One class of links and of entries named like grade-all's outputs, graded once: (submissions, out, gradebook)."""
    base = tmp_path_factory.mktemp("odd")
    submissions, out = base / "class", base / "out"
    for name in ("alice", "grades.csv", "__carol", "dave"):
        (submissions / name).mkdir(parents=True)
        shutil.copyfile(ch01.solution, submissions / name / "forward.py")
    (submissions / "cheat").symlink_to(ch01.solution.parent)
    (submissions / "copycat").symlink_to(submissions / "alice")
    (submissions / "dave" / batch.MANIFEST).write_text("{}")
    shutil.copyfile(ch01.solution, submissions / "summary.png.py")
    assert grade_all_cli(submissions, out) == 0
    with open(out / "grades.csv", newline="") as rows:
        gradebook = {row["student"]: row for row in csv.DictReader(rows)}
    return submissions, out, gradebook


def test_entries_that_are_links_are_rows_with_a_reason_never_followed(odd_entries, ch01):
    """a student folder linked to the reference or to a classmate: 0 points, the reason, and no path of theirs."""
    submissions, out, gradebook = odd_entries
    assert set(gradebook) == ODD_ENTRIES
    assert float(gradebook["alice"]["score"]) == float(gradebook["alice"]["max_score"]) > 0
    for linked in ("cheat", "copycat"):
        assert float(gradebook[linked]["score"]) == 0 and "symbolic link" in gradebook[linked]["reason"]
        results = (out / linked / "results.json").read_text()
        assert str(ch01.solution.parent) not in results and str(submissions / "alice") not in results


def test_students_named_like_the_outputs_or_with_a_planted_manifest_are_graded(odd_entries):
    """grades.csv, summary.png.py, __carol and a folder holding a manifest beside its forward.py: all rows."""
    _, out, gradebook = odd_entries
    assert set(gradebook) == ODD_ENTRIES
    students = {name: float(gradebook[name]["score"]) for name in NAMED_LIKE_OUTPUTS}
    assert len(set(students.values())) == 1 and min(students.values()) > 0
    assert (out / "summary.png").is_file()


def test_out_inside_a_students_folder_is_refused(tmp_path, ch01, capsys):
    """OUT inside one student's submission would be graded with it: exit 2, nothing graded."""
    submissions = tmp_path / "class"
    (submissions / "ada").mkdir(parents=True)
    shutil.copyfile(ch01.solution, submissions / "ada" / "forward.py")
    assert grade_all_cli(submissions, submissions / "ada" / "out") == 2
    assert f"lies inside the submission {submissions / 'ada'}" in capsys.readouterr().err
    assert not (submissions / "ada" / "out").exists()


@pytest.mark.skipif(os.name != "posix", reason="other users' permission bits are POSIX")
def test_a_class_folder_open_to_others_is_warned_once_with_the_fix(capsys, monkeypatch):
    """as root without namespaces, a class folder every user can list gets one warning with the chmod that closes it."""
    folder = Path(tempfile.mkdtemp(prefix="open-class-"))  # /tmp: every folder above it open to others
    sandboxes = {
        "root, no namespaces": SimpleNamespace(uid=64999, hides_other_submissions=False),
        "root, in namespaces": SimpleNamespace(uid=64999, hides_other_submissions=True),
        "not root": SimpleNamespace(uid=None, hides_other_submissions=False),
    }
    try:
        for mode, sandbox, warned in [
            (0o755, "root, no namespaces", True),
            (0o700, "root, no namespaces", False),
            (0o755, "root, in namespaces", False),
            (0o755, "not root", False),
        ]:
            os.chmod(folder, mode)
            monkeypatch.setattr(batch.Sandbox, "for_this_machine", lambda chosen=sandboxes[sandbox]: chosen)
            warn_if_open_to_others(folder)
            error = capsys.readouterr().err
            if warned:
                assert error.count("\n") == 1 and error.endswith(f"with: chmod o-rwx {folder}\n")
            else:
                assert error == "", (oct(mode), sandbox)
    finally:
        shutil.rmtree(folder)


# -- summary.png -----------------------------------------------------------------------------


def outcome(student, failed_checks, tasks=("add_noise", "noise_step")):
    """A graded student who passed every check but ``failed_checks`` (names of add_noise checks)."""
    tests = [
        Check(f"{task}: check {c}", 0.0 if f"{task}: check {c}" in failed_checks else 1.0, 1.0, task=task)
        for task in tasks
        for c in "abc"
    ]
    return Outcome(student, GradeReport("ch01_forward", tests), "graded")


def test_failed_checks_are_counted_per_task_most_failed_first():
    """per task, every check failed by a student with points, sorted by how many failed it, then by name."""
    outcomes = [
        outcome("ada", {"add_noise: check b", "add_noise: check c"}),
        outcome("bob", {"add_noise: check c"}),
        outcome("cy", {"noise_step: check a"}),
    ]
    assert failed_by_task(outcomes, ["add_noise", "noise_step", "remove_noise"]) == {
        "add_noise": [("add_noise: check c", 2), ("add_noise: check b", 1)],
        "noise_step": [("noise_step: check a", 1)],
        "remove_noise": [],
    }


def test_summary_gets_taller_with_each_task_panel(tmp_path):
    """summary.png holds a panel per task: more tasks with failed checks make a taller picture."""
    from PIL import Image  # noqa: PLC0415

    small, tall = tmp_path / "small.png", tmp_path / "tall.png"
    plot_summary([outcome("ada", {"add_noise: check a"}, tasks=("add_noise",))], small, ["add_noise"])
    many = ("add_noise", "noise_step", "remove_noise")
    plot_summary([outcome("ada", {f"{t}: check {c}" for t in many for c in "ab"}, tasks=many)], tall, list(many))
    with Image.open(small) as first, Image.open(tall) as second:
        assert first.width == second.width and second.height > first.height + 200
