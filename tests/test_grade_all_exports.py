"""grade-all on each platform's export: one row per student, attempts, late flags, reasons and platform gradebooks."""

import csv
import dataclasses
import re
import shutil
import zipfile

import pytest
from export_builders import CANVAS_ROSTER, MOODLE_ROSTER, blackboard, canvas, classroom, gradescope, listing, moodle

from autograder.channels import batch
from autograder.cli import main

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow

NOTE = (
    "Note: your upload has no file named forward.py, so its only Python file, {}, was graded as forward.py. "
    "Name it forward.py next time."
)


def grade_all(source, out, *more):
    return main(["grade-all", "ch01_forward", str(source), "--out", str(out), "--suites", "public", *more])


def read_rows(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))


def by_student(out):
    return {row["student"]: row for row in read_rows(out / "grades.csv")}


# Ev's noise_step never returns: limits of a second a call and three a function reach the same
# verdict as the course's five and fifteen, in a fifth of the time.
SHORT_CALLS = {"call_seconds": 1.0, "function_seconds": 3.0}


@pytest.fixture(scope="module")
def canvas_run(tmp_path_factory, ch01):
    base = tmp_path_factory.mktemp("canvas")
    canvas(base / "export", ch01)
    (base / "roster.csv").write_text(CANVAS_ROSTER, encoding="utf-8")
    before = listing(base)
    short = dataclasses.replace(ch01, limits=dataclasses.replace(ch01.limits, **SHORT_CALLS))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "get_assignment", lambda _: short)
        assert grade_all(base / "export", base / "out", "--roster", str(base / "roster.csv")) == 0
    return base, before


def test_canvas_rows_attempts_late_flags_and_reasons(canvas_run):
    """Canvas: a row per user id, the latest upload counted and marked late, every non-clean row with its reason."""
    base, _ = canvas_run
    rows = by_student(base / "out")
    top = rows["101"]["max_score"]
    facts = {s: (r["score"], r["status"], r["attempts"], r["graded_attempt"], r["late"]) for s, r in rows.items()}
    assert facts == {
        "101": (top, "graded", "2", "2", "yes"),
        "102": (top, "graded", "1", "1", "no"),
        "103": (top, "graded", "1", "1", "no"),
        "104": ("0", "rejected", "1", "1", "no"),
        "105": (facts["105"][0], "graded", "1", "1", "no"),
        "106": ("0", "rejected", "1", "1", "no"),
        "107": ("0", "no submission", "0", "", ""),
    }
    assert 0 < float(facts["105"][0]) < float(top)
    assert rows["101"]["reason"] == rows["103"]["reason"] == ""
    assert rows["102"]["reason"] == NOTE.format("forward (1).py")
    assert rows["104"]["reason"] == (
        "0 points: the archive forward.zip holds an entry that points outside it ('../../evil.py'); it was not unpacked"
    )
    assert re.fullmatch(r"time limit reached in noise_step \(\d+ checks not passed\)", rows["105"]["reason"])
    assert rows["106"]["reason"] == "0 points: the submission holds no file named forward.py"
    assert rows["107"]["reason"] == "no submission"
    assert [rows[s]["name"] for s in ("101", "107")] == ["Smith, Ada", "Gus, Gü"]


def test_canvas_gradebook_import_file_has_canvas_columns_and_a_bom(canvas_run):
    """canvas_grades.csv: UTF-8 with BOM, Canvas's five columns, the roster's assignment column, every student."""
    base, _ = canvas_run
    data = (base / "out" / "canvas_grades.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    top = by_student(base / "out")["101"]["max_score"]
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[:3] == [
        "Student,ID,SIS User ID,SIS Login ID,Section,Chapter 1 (555)",
        f"    Points Possible,,,,,{top}",
        f'"Smith, Ada",101,S101,asmith,A,{top}',
    ]
    assert lines[-1] == '"Gus, Gü",107,S107,ggus,B,0' and len(lines) == 9


def test_every_attempt_keeps_its_results_and_nothing_lands_outside_out(canvas_run):
    """results.json per student and per attempt under OUT; the export and everything beside OUT untouched."""
    base, before = canvas_run
    assert listing(base) == sorted([*before, *(f"out/{p}" for p in listing(base / "out"))])
    out = listing(base / "out")
    assert {"101/results.json", "101/attempt-2/results.json", "107/results.json", "class_report.html"} <= set(out)
    assert not any(".grade-all-work" in path for path in out)


@pytest.fixture(scope="module")
def moodle_run(tmp_path_factory, ch01):
    base = tmp_path_factory.mktemp("moodle")
    moodle(base / "export", ch01)
    (base / "roster.csv").write_text(MOODLE_ROSTER, encoding="utf-8")
    assert grade_all(base / "export", base / "out", "--roster", str(base / "roster.csv")) == 0
    return base


def test_moodle_renamed_files_are_graded_and_attacks_are_reasons(moodle_run):
    """Moodle: Forward.py and forward-1.py graded with the note; bomb and link are reasons."""
    rows = by_student(moodle_run / "out")
    top = rows["201"]["max_score"]
    assert {s: (r["score"], r["status"]) for s, r in rows.items()} == {
        "201": (top, "graded"),
        "202": ("0", "rejected"),
        "203": ("0", "graded"),
        "204": ("0", "rejected"),
        "205": ("0", "no submission"),
    }
    assert rows["201"]["reason"] == NOTE.format("Forward.py")
    # The stub under a renamed file: graded, with what is left to write and the note.
    assert re.fullmatch(
        r"not implemented yet: cosine_schedule, add_noise, betas_from_alpha_bar, noise_step, remove_noise "
        r"\(\d+ checks not passed\); " + re.escape(NOTE.format("forward-1.py")),
        rows["203"]["reason"],
    )
    assert "zip bomb" in rows["202"]["reason"] and "submission.zip" in rows["202"]["reason"]
    assert rows["204"]["reason"] == (
        "0 points: forward.py lies outside the submission (through a link); submit the file itself"
    )


def test_moodle_grading_worksheet_has_moodles_columns(moodle_run):
    """moodle_grades.csv: the worksheet's columns, Participant ids, grades with two decimals, reasons as feedback."""
    top = float(by_student(moodle_run / "out")["201"]["max_score"])
    data = (moodle_run / "out" / "moodle_grades.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
        "Last modified (submission),Last modified (grade),Feedback comments"
    )
    assert lines[1].startswith(
        f"Participant 201,Ada Byron,ada@example.edu,Submitted for grading,{top:.2f},{top:.2f},Yes,"
        '"Monday, 5 January 2026, 10:00 AM",-,'
    )
    assert lines[5] == f"Participant 205,Ed Absent,ed@example.edu,No submission,0.00,{top:.2f},Yes,-,-,no submission"


def test_blackboard_best_and_all_attempts(tmp_path, ch01):
    """Blackboard with --attempts all: both of Ada's attempts graded and kept, the latest counted; Bob late."""
    blackboard(tmp_path / "export", ch01)
    assert grade_all(tmp_path / "export", tmp_path / "out", "--attempts", "all") == 0
    rows = by_student(tmp_path / "out")
    top = rows["ada"]["max_score"]
    assert (rows["ada"]["attempts"], rows["ada"]["graded_attempt"], rows["ada"]["attempt_scores"]) == (
        "2",
        "2",
        f"1:0;2:{top}",
    )
    assert (rows["ada"]["name"], rows["ada"]["late"], rows["bob"]["late"]) == ("Ada Lovelace", "no", "yes")
    assert (tmp_path / "out" / "ada" / "attempt-1" / "results.json").is_file()
    assert not any((tmp_path / "out" / name).exists() for name in ("moodle_grades.csv", "canvas_grades.csv"))


def test_gradescope_group_graded_once_and_zipped_classroom_repositories(tmp_path, ch01):
    """Gradescope: both submitters of a group get its grade; GitHub Classroom, zipped: a row per username."""
    gradescope(tmp_path / "gs", ch01)
    assert grade_all(tmp_path / "gs", tmp_path / "out_gs") == 0
    rows = by_student(tmp_path / "out_gs")
    assert [(s, r["name"], r["score"] == r["max_score"]) for s, r in rows.items()] == [
        ("A1", "Ada Lovelace", True),
        ("B2", "Bob Babbage", True),
        ("C3", "Cy Young", False),
    ]
    assert rows["C3"]["reason"].startswith("0 points: forward.py could not be imported: SyntaxError")
    classroom(tmp_path / "class" / "gh", ch01)
    shutil.make_archive(str(tmp_path / "gh"), "zip", tmp_path / "class", "gh")
    assert grade_all(tmp_path / "gh.zip", tmp_path / "out_gh") == 0
    rows = by_student(tmp_path / "out_gh")
    assert [(s, r["graded"], r["score"] == r["max_score"]) for s, r in rows.items()] == [
        ("ada", "ch01-forward-ada/src/forward.py", True),
        ("bob", "ch01-forward-bob/src/forward.py", False),
    ]


def test_a_roster_matching_nobody_stops_before_grading(tmp_path, ch01, capsys):
    """A roster of another class: exit 2 with a message that says so, and no OUT."""
    classroom(tmp_path / "gh", ch01)
    (tmp_path / "roster.csv").write_text(CANVAS_ROSTER)
    assert grade_all(tmp_path / "gh", tmp_path / "out", "--roster", str(tmp_path / "roster.csv")) == 2
    assert "matches none of the 2 students in the export" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unreadable_export_archive_and_a_wrong_forced_layout_are_the_instructors_to_fix(tmp_path, ch01, capsys):
    """A broken export zip, or --layout that does not fit: exit 2, one line, nothing written."""
    (tmp_path / "export.zip").write_bytes(b"PK\x03\x04 not really a zip")
    assert grade_all(tmp_path / "export.zip", tmp_path / "out") == 2
    assert "export.zip" in capsys.readouterr().err
    classroom(tmp_path / "gh", ch01)
    assert grade_all(tmp_path / "gh", tmp_path / "out", "--layout", "moodle") == 2
    assert "does not look like a moodle export" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("../outside.py", "x = 1\n")
    assert grade_all(tmp_path / "evil.zip", tmp_path / "out") == 2
    assert not (tmp_path / "outside.py").exists() and not (tmp_path / "out").exists()
