"""A course author's mistakes fail grading for the instructor, loudly, and never cost a student points.

Each test breaks the throwaway assignment of a scratch course (``new_course``)
the way an author could, runs the real command there, and puts the file back.
"""

import contextlib
import csv
import json
import shutil
import sys
import zipfile

import numpy as np
import pytest
from new_course import MODULE, TOY, autograder, make_course, run

from autograder.interface import StudentError
from autograder.plugin import is_instructor_error

CHECK = f"autograder/suites/{TOY}/test_scaled.py"
LINE = '    assert np.allclose(submission.scaled(x, -1.5), reference.scaled(x, -1.5)), "scaled(x, -1.5) is wrong"\n'


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("broken") / "course")


@contextlib.contextmanager
def edited(course, relative, old, new):
    """``relative`` with ``old`` replaced by ``new`` for the duration of the block."""
    path = course / relative
    original = path.read_text()
    assert original.count(old) == 1, f"{relative} no longer has {old!r}"
    path.write_text(original.replace(old, new))
    try:
        yield path
    finally:
        path.write_text(original)


def grade(course, submission="stub"):
    """``python -m autograder grade`` on the stub or the reference; (exit status, stderr, results or None)."""
    results = course / "build" / "results.json"
    results.unlink(missing_ok=True)
    args = ["grade", TOY, "--results", str(results)]
    if submission == "reference":
        args += ["--submission", f"solutions/{TOY}/{MODULE}.py"]
    done = autograder(course, *args)
    return done.returncode, done.stderr, json.loads(results.read_text()) if results.exists() else None


@pytest.mark.slow
def test_a_name_error_in_a_check_fails_grading_naming_the_check_and_its_line(course):
    """a misspelt name in a check: exit 1, the check and file:line named, no results written."""
    typo = LINE.replace("reference.scaled(x, -1.5)", "refrence.scaled(x, -1.5)")
    with edited(course, CHECK, LINE, typo):
        status, errors, results = grade(course)
    assert status == 1 and results is None
    line = (course / CHECK).read_text().splitlines().index(LINE.rstrip("\n")) + 1
    assert f"{CHECK}::test_scales_a_matrix raised NameError: name 'refrence' is not defined at {CHECK}:{line}" in errors


@pytest.mark.slow
def test_an_error_only_a_wrong_answer_reaches_fails_grading_too(course):
    """a check whose bug shows only for a wrong answer (the reference passes it) still fails grading, exit 1."""
    only_for_zeros = "    if np.allclose(submission.scaled(x, -1.5), 0):\n        hint = undefined_hint\n"
    buggy = only_for_zeros + LINE
    with edited(course, CHECK, LINE, buggy):
        right = grade(course, "reference")
        wrong = grade(course, "stub")
    assert right[0] == 0 and right[2]["score"] == right[2]["max_score"]
    assert wrong[0] == 0  # the stub raises NotImplementedError before the check's bug: the student's error
    empty = course / "build" / "empty"
    empty.mkdir(parents=True, exist_ok=True)
    zeros = "import numpy as np\n\ndef summed_variance(s):\n    return 0.0\n\ndef scaled(x, f):\n    return 0 * x\n"
    (empty / f"{MODULE}.py").write_text(zeros)
    with edited(course, CHECK, LINE, buggy):
        done = autograder(course, "grade", TOY, "--submission", str(empty), "--results", "build/wrong.json")
    assert done.returncode == 1
    assert "NameError: name 'undefined_hint' is not defined" in done.stderr and CHECK in done.stderr


@pytest.mark.slow
def test_a_check_tripping_over_a_wrong_answer_is_the_students_feedback(course):
    """a check that unpacks the student's answer costs the student that check when the answer has the wrong form."""
    unpacking = "    first, second = submission.scaled(x, 1.0)\n" + LINE
    flat = course / "build" / "flat"
    flat.mkdir(parents=True, exist_ok=True)
    reference = (course / "solutions" / TOY / f"{MODULE}.py").read_text()
    flattened = "\n\ndef scaled(x, factor):\n    return (np.asarray(x, dtype=np.float64) * factor).ravel()\n"
    (flat / f"{MODULE}.py").write_text(reference + flattened)
    with edited(course, CHECK, LINE, unpacking):
        done = autograder(course, "grade", TOY, "--submission", str(flat), "--results", "build/flat.json")
    assert done.returncode == 0, done.stderr
    graded = json.loads((course / "build" / "flat.json").read_text())
    failed = [t for t in graded["tests"] if t["score"] < t["max_score"]]
    assert [t["name"] for t in failed] == ["scaled: scaled works on a 2-D array"]
    assert "did not return the number of values this check expects" in failed[0]["output"]


@pytest.mark.slow
def test_a_check_asking_for_an_unknown_fixture_fails_grading(course):
    """a check that requests a fixture nobody provides is the author's error: exit 1, named."""
    signature = "def test_scales_a_matrix(submission, reference):"
    with edited(course, CHECK, signature, signature.replace("reference", "refrence")):
        status, errors, _ = grade(course)
    assert status == 1 and f"{CHECK}::test_scales_a_matrix raised" in errors and "refrence" in errors


@pytest.mark.slow
def test_a_suite_that_does_not_import_fails_grading_naming_the_file(course):
    """an import error in a hidden suite: exit 1, the file named."""
    with edited(course, CHECK, "import numpy as np\n", "import numpy as np\nimport no_such_helper\n"):
        status, errors, _ = grade(course)
    assert status == 1 and "test_scaled.py" in errors and "no_such_helper" in errors


@pytest.mark.slow
def test_a_reference_short_of_full_marks_fails_grading(course):
    """a check the reference fails: exit 1, the reference's score and the check named."""
    with edited(course, CHECK, "reference.scaled(x, -1.5)), ", "reference.scaled(x, 1.5)), "):
        status, errors, _ = grade(course)
    assert status == 1
    assert f"the reference solutions/{TOY}/{MODULE}.py gets 8 of 11 points" in errors
    assert "scaled: scaled works on a 2-D array: scaled(x, -1.5) is wrong" in errors


@pytest.mark.slow
def test_grade_all_marks_the_rows_error_and_exits_1(course, tmp_path):
    """with a broken check, grade-all grades nobody: each row says "error", and the command exits 1."""
    submissions = tmp_path / "class"
    for student in ("ann", "bob"):
        (submissions / student).mkdir(parents=True)
        shutil.copyfile(course / "solutions" / TOY / f"{MODULE}.py", submissions / student / f"{MODULE}.py")
    typo = LINE.replace("np.allclose", "np.allclse")
    with edited(course, CHECK, LINE, typo):
        done = autograder(course, "grade-all", TOY, str(submissions), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert done.returncode == 1, done.stdout + done.stderr
    with (tmp_path / "out" / "grades.csv").open() as gradebook:
        rows = list(csv.DictReader(gradebook))
    assert [row["status"] for row in rows] == ["error", "error"]


@pytest.mark.slow
def test_gradescope_run_fails_instead_of_publishing_a_score(course, tmp_path):
    """a broken check in the bundle: run_autograder's grading exits 1 and writes no results.json."""
    typo = LINE.replace("np.allclose", "np.allclse")
    with edited(course, CHECK, LINE, typo):
        built = autograder(course, "gradescope", TOY, "--out", str(tmp_path))
    assert built.returncode == 0, built.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / f"{TOY}.zip") as bundle:
        bundle.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    shutil.copyfile(course / "solutions" / TOY / f"{MODULE}.py", root / "submission" / f"{MODULE}.py")
    done = run(root / "source", sys.executable, "-m", "autograder", "gradescope-run", TOY, "--root", str(root))
    assert done.returncode == 1 and "no attribute 'allclse'" in done.stderr
    assert not (root / "results" / "results.json").exists()


def _attribute_error_of_numpy():
    try:
        np.allclse  # noqa: B018 - the misspelling is the point
    except AttributeError as error:
        return error


@pytest.mark.parametrize(
    ("error", "instructors"),
    [
        (AssertionError("xt is wrong"), False),
        (StudentError("add_noise raised ValueError"), False),
        (ValueError("too many values to unpack (expected 2)"), False),
        (TypeError("unsupported operand type(s) for -: 'str' and 'float'"), False),
        (IndexError("index 5 is out of bounds for axis 0 with size 3"), False),
        (NameError("name 'x' is not defined"), True),
        (ImportError("No module named 'helpers'"), True),
        (TypeError("<lambda>() got an unexpected keyword argument 'T'"), True),
        (_attribute_error_of_numpy(), True),
        (AttributeError("'tuple' object has no attribute 'shape'"), False),
    ],
)
def test_errors_only_a_check_makes_are_the_instructors(error, instructors):
    """names, imports, module attributes and keywords are the check's; what a student's answer trips is not."""
    assert is_instructor_error(error) is instructors


def test_an_exception_class_can_declare_itself_the_instructors():
    """an assertion whose class sets instructor_error (e.g. expected values that are not finite) is the check's."""

    class ExpectedNotFinite(AssertionError):
        instructor_error = True

    assert is_instructor_error(ExpectedNotFinite("the expected values are NaN for these fixed inputs"))
