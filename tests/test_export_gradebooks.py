"""Rosters read as each platform writes them; reasons read from the grading's own results."""

import pytest

from autograder.channels.exports.gradebooks import RosterRefused, assignment_columns, read_roster
from autograder.channels.exports.reasons import row_reason
from autograder.results import GradeReport
from autograder.results import TestResult as Check


def test_a_canvas_gradebook_export_is_read_by_user_id_without_the_points_row(tmp_path):
    """Canvas: ids from the ID column, the Points Possible row skipped, the assignment column found."""
    path = tmp_path / "canvas.csv"
    path.write_bytes(
        "Student,ID,SIS User ID,SIS Login ID,Section,Chapter 1 (555),Current Score\n"
        "    Points Possible,,,,,176,\n"
        '"Müller, Jö",101,S101,jm,A,,\n'.encode("utf-8-sig")
    )
    roster = read_roster(path)
    assert (roster.platform, list(roster.entries), roster.entries["101"].name) == ("canvas", ["101"], "Müller, Jö")
    assert assignment_columns(roster) == ["Chapter 1 (555)"]


def test_a_moodle_worksheet_in_windows_encoding_is_read_by_participant(tmp_path):
    """Moodle: "Participant 7" is participant 7; a file saved by Excel in cp1252 still reads."""
    path = tmp_path / "moodle.csv"
    path.write_bytes("Identifier,Full name,Email address\nParticipant 7,José Ñúñez,j@x.org\n".encode("cp1252"))
    roster = read_roster(path)
    assert (roster.platform, roster.entries["7"].name) == ("moodle", "José Ñúñez")


def test_a_plain_roster_needs_an_id_column(tmp_path):
    """A CSV with id and name columns is a roster; one without an id column is refused with what it should hold."""
    (tmp_path / "ok.csv").write_text("ID,Name\nada,Ada L\n")
    assert read_roster(tmp_path / "ok.csv").entries["ada"].name == "Ada L"
    (tmp_path / "bad.csv").write_text("who,points\nada,3\n")
    with pytest.raises(RosterRefused, match="nor a CSV with an id column"):
        read_roster(tmp_path / "bad.csv")
    with pytest.raises(RosterRefused, match="cannot be read"):
        read_roster(tmp_path / "missing.csv")


def report(*tests, output=""):
    return GradeReport("ch01_forward", list(tests), output=output)


def test_reasons_name_the_function_that_ran_out_of_time_or_ended_its_process():
    """A clean-looking grading with stopped checks says which functions and how many checks."""
    timed = "noise_step did not finish within the time limit of 2 s of CPU time for one call"
    ended = "add_noise was not run: the process running your code was ended, by signal 9"
    graded = report(
        Check("noise_step: a", 0, 2, timed, task="noise_step"),
        Check("noise_step: b", 0, 2, "not run: noise_step already ran past the time limit", task="noise_step"),
        Check("add_noise: a", 0, 2, ended, task="add_noise"),
        Check("cosine_schedule: a", 2, 2, task="cosine_schedule"),
    )
    assert row_reason(graded) == (
        "time limit reached in noise_step (2 checks not passed); "
        "the code's process ended (crashed or exited) in add_noise (1 check not passed)"
    )


def test_functions_left_as_the_stub_are_named():
    """A stub's untouched functions are named as not implemented yet."""
    stub = report(
        Check(
            "add_noise: a", 0, 2, "add_noise is not implemented yet (it raises NotImplementedError)", task="add_noise"
        ),
        Check("cosine_schedule: a", 2, 2, task="cosine_schedule"),
    )
    assert row_reason(stub) == "not implemented yet: add_noise (1 check not passed)"


def test_a_rejection_is_its_first_line_and_a_note_is_kept_apart():
    """A rejection gives its first line; the renaming note follows it, once."""
    note = "Note: your upload has no file named forward.py, so ..."
    rejected = report(output=f"{note}\n\n0 points: forward.py could not be imported: SyntaxError\n  line 2")
    assert row_reason(rejected, note) == f"0 points: forward.py could not be imported: SyntaxError; {note}"
    assert row_reason(report(Check("a", 1, 1))) == ""
