"""Each platform's export, built here from its naming rule, read as the right students, attempts and late flags."""

import pytest

from autograder.channels.exports import UnknownLayout, detect, read_export
from autograder.channels.exports.gradescope import parse_metadata
from autograder.channels.exports.plain import AmbiguousStudents
from autograder.channels.exports.rows import group, to_grade


def touch(folder, *names, text="x = 1\n"):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def summary(export):
    """student -> [(original names, late)] per attempt, oldest first."""
    return {s.key: [(sorted(o for _, o in a.files), a.late) for a in s.attempts] for s in group(export.attempts)}


def test_canvas_names_give_user_ids_late_flags_and_reuploads_as_attempts(tmp_path):
    """Canvas: the user id is the student; LATE_ marks late; forward-1.py is a later upload of forward.py."""
    touch(
        tmp_path,
        "smithjohn_12345_6789012_forward.py",
        "smithjohn_LATE_12345_6789012_forward-1.py",
        "smithjohn_LATE_12345_6789012_forward-2.py",
        "doejane_22222_6789013_forward.py",
        "doejane_22222_6789013_notes.txt",
        "leeann_LATE_33333_6789014_forward (1).py",
    )
    export = read_export(tmp_path)
    assert export.layout == "canvas"
    assert summary(export) == {
        "12345": [(["forward.py"], False), (["forward.py"], True), (["forward.py"], True)],
        "22222": [(["forward.py", "notes.txt"], False)],
        "33333": [(["forward (1).py"], True)],
    }
    latest = group(export.attempts)[0].attempts[-1]
    assert latest.files[0][0].name == "smithjohn_LATE_12345_6789012_forward-2.py"
    assert group(export.attempts)[0].name == "smithjohn"


def test_moodle_folders_and_prefixed_files_are_one_attempt_per_participant(tmp_path):
    """Moodle: a participant's folder and prefixed files are one attempt; online text is passed over."""
    touch(
        tmp_path,
        "Ada Lovelace_101_assignsubmission_file_/forward.py",
        "Ada Lovelace_101_assignsubmission_onlinetext_/onlinetext.html",
        "Grace Hopper_102_assignsubmission_file_forward (1).py",
        "Grace Hopper_102_assignsubmission_file_README.md",
    )
    export = read_export(tmp_path)
    assert export.layout == "moodle"
    students = group(export.attempts)
    assert [(s.key, s.name, len(s.attempts)) for s in students] == [
        ("101", "Ada Lovelace", 1),
        ("102", "Grace Hopper", 1),
    ]
    assert sorted(o for _, o in students[1].attempts[0].files) == ["README.md", "forward (1).py"]
    assert students[0].attempts[0].late is None
    assert any("onlinetext" in line for line in export.skipped)


def test_blackboard_attempts_are_dated_and_named_from_the_receipt(tmp_path):
    """Blackboard: each attempt date is an attempt, oldest first; the receipt gives the name."""
    first, second = "Chapter 1_ada_attempt_2026-01-02-10-00-00", "Chapter 1_ada_attempt_2026-01-03-09-00-00"
    touch(tmp_path, f"{first}_forward.py", f"{second}_forward.py")
    (tmp_path / f"{first}.txt").write_text("Name: Ada Lovelace (ada)\nAssignment: Chapter 1\n")
    touch(tmp_path, "Chapter 1_bob_attempt_2026-01-04-23-59-59_LATE_forward.py")
    export = read_export(tmp_path)
    assert export.layout == "blackboard"
    students = group(export.attempts)
    assert [(s.key, s.name, [a.when for a in s.attempts]) for s in students] == [
        ("ada", "Ada Lovelace", ["2026-01-02-10-00-00", "2026-01-03-09-00-00"]),
        ("bob", "", ["2026-01-04-23-59-59"]),
    ]
    assert [s.attempts[-1].late for s in students] == [False, True]


GRADESCOPE_METADATA = """\
submission_1001:
  :submitters:
  - :name: Ada Lovelace
    :sid: 'A1'
    :email: ada@example.edu
  - :name: Bob Babbage
    :sid: 'B2'
    :email: bob@example.edu
  :created_at: 2026-01-02 10:00:00.000000000 -08:00
  :score: 10.0
submission_1002:
  :submitters:
  - :name: Cy Young
    :sid: ''
    :email: cy@example.edu
  :created_at: 2026-01-03 10:00:00.000000000 -08:00
"""


def test_gradescope_metadata_names_each_submitter_and_a_group_is_graded_once(tmp_path):
    """Gradescope: submitters come from submission_metadata.yml; a group's hand-in is one grading."""
    (tmp_path / "submission_metadata.yml").write_text(GRADESCOPE_METADATA)
    touch(tmp_path, "submission_1001/forward.py", "submission_1002/forward.py", "submission_1003/forward.py")
    export = read_export(tmp_path)
    assert export.layout == "gradescope"
    students = group(export.attempts)
    assert [(s.key, s.name) for s in students] == [
        ("A1", "Ada Lovelace"),
        ("B2", "Bob Babbage"),
        ("cy@example.edu", "Cy Young"),
    ]
    assert students[0].attempts[0].entry == students[1].attempts[0].entry == tmp_path / "submission_1001"
    assert export.skipped == ["submission_1003: not in submission_metadata.yml, so whose it is is unknown"]
    assert parse_metadata(GRADESCOPE_METADATA)["submission_1001"]["created_at"].startswith("2026-01-02")


def test_github_classroom_repositories_are_students_by_username(tmp_path):
    """GitHub Classroom: <assignment>-<username> repositories give the usernames."""
    for user in ("ada-l", "bob"):
        touch(tmp_path, f"ch01-forward-{user}/forward.py", f"ch01-forward-{user}/.git/HEAD")
    export = read_export(tmp_path)
    assert export.layout == "classroom"
    assert [s.key for s in group(export.attempts)] == ["ada-l", "bob"]


def test_a_plain_folder_stays_one_entry_per_student_and_ambiguity_stops_it(tmp_path):
    """The plain folder: ids from names as before; a folder and a file of one id stop the batch."""
    touch(tmp_path, "ada/forward.py", "bob.py", ".DS_Store")
    assert detect(tmp_path).NAME == "plain"
    assert [s.key for s in group(read_export(tmp_path).attempts)] == ["ada", "bob"]
    touch(tmp_path, "ada.py")
    with pytest.raises(AmbiguousStudents, match="ada is both"):
        read_export(tmp_path)


def test_a_forced_layout_that_does_not_fit_is_refused_with_its_rule(tmp_path):
    """--layout canvas on a plain folder: a clear message with Canvas's rule, nothing read."""
    touch(tmp_path, "ada/forward.py")
    with pytest.raises(UnknownLayout, match="does not look like a canvas export"):
        read_export(tmp_path, "canvas")
    with pytest.raises(UnknownLayout, match="no export layout named"):
        read_export(tmp_path, "brightspace")


def test_policies_choose_which_attempts_are_graded(tmp_path):
    """latest grades one attempt per student; best and all grade every attempt, keyed per attempt."""
    touch(tmp_path, "a_1_9_forward.py", "a_1_9_forward-1.py", "b_2_8_forward.py")
    students = group(read_export(tmp_path).attempts)
    assert sorted(to_grade(students, "latest")) == ["1/attempt-2", "2"]
    assert sorted(to_grade(students, "all")) == ["1/attempt-1", "1/attempt-2", "2"]
