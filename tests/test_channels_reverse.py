"""Chapter 1, Part 3 (ch01_reverse) in the channels that other tests drive with Part 1 only.

The reference earns every point and the untouched stub none through Gradescope's
bundle, grade-all and nbgrader-grade's round trip, as through `grade`
(test_grade_reference_and_stubs.py), the release (test_release_roundtrip.py) and
the Classroom workflow (test_classroom.py), which run over every assignment.
"""

from __future__ import annotations

import shutil
import subprocess

import nbformat
import pytest
from suite_totals import points
from test_gradescope import gradescope_env, run_autograder
from test_notebook_nbgrader import Gradebook, nbgrader, nbgrader_grade

from autograder.channels.batch import grade_all
from autograder.channels.gradescope import build_bundle, unpack
from autograder.channels.notebook.course_folder import write_course_folder
from autograder.course import get_assignment

pytestmark = pytest.mark.slow
REVERSE = get_assignment("ch01_reverse")


@pytest.fixture(scope="module")
def gradescope_root(tmp_path_factory):
    """The bundle of ch01_reverse unpacked as Gradescope lays it out, after its setup.sh."""
    root = tmp_path_factory.mktemp("gradescope-reverse") / "autograder"
    root.mkdir()
    unpack(build_bundle(REVERSE, tmp_path_factory.mktemp("bundle")), root)
    setup = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")],
        env=gradescope_env(root),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr
    return root


@pytest.mark.parametrize(("source", "share"), [("solution", 1), ("stub", 0)])
def test_gradescope_gives_the_reference_every_point_and_the_stub_none(gradescope_root, source, share):
    """an upload of reverse.py: the reference scores the suites' every point, the stub 0 of the same maximum."""
    path = REVERSE.solution if source == "solution" else REVERSE.folder / REVERSE.filename
    shutil.copyfile(path, gradescope_root / "submission" / REVERSE.filename)
    results = run_autograder(gradescope_root)
    assert results["max_score"] == points(REVERSE)
    assert results["score"] == share * points(REVERSE)


def test_grade_all_gives_the_reference_every_point_and_the_stub_none(tmp_path):
    """a class of two, the reference and the stub, graded by grade-all's pool."""
    for student, path in (("reference", REVERSE.solution), ("stub", REVERSE.folder / REVERSE.filename)):
        (tmp_path / student).mkdir()
        shutil.copyfile(path, tmp_path / student / REVERSE.filename)
    outcomes = grade_all(REVERSE, {s: tmp_path / s for s in ("reference", "stub")}, jobs=1, progress=False)
    scores = {o.student: (o.status, o.report.score, o.report.max_score) for o in outcomes}
    assert scores == {"reference": ("graded", points(REVERSE), points(REVERSE)), "stub": ("graded", 0, points(REVERSE))}


def test_nbgrader_gives_the_reference_every_point_and_the_release_none(tmp_path):
    """nbgrader-grade (the notebook graded in the sandbox, scores in nbgrader's gradebook): reference all, release 0."""
    course = tmp_path / "nbgrader"
    source_notebook = write_course_folder(REVERSE, course)
    nbgrader(course, "generate_assignment", REVERSE.id, "--force")
    release = course / "release" / REVERSE.id
    notebooks = {
        "reference": nbformat.read(str(source_notebook), as_version=4),
        "untouched": nbformat.read(str(release / source_notebook.name), as_version=4),
    }
    for student, notebook in notebooks.items():
        folder = course / "submitted" / student / REVERSE.id
        shutil.copytree(release, folder)
        nbformat.write(notebook, str(folder / source_notebook.name))
    graded = nbgrader_grade(course, REVERSE.id)
    assert graded.returncode == 0, (graded.stdout + graded.stderr)[-4000:]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        totals = {}
        for student in notebooks:
            submitted = gradebook.find_submission_notebook(source_notebook.stem, REVERSE.id, student)
            totals[student] = (sum(g.score for g in submitted.grades), sum(g.max_score for g in submitted.grades))
    assert totals == {"reference": (points(REVERSE), points(REVERSE)), "untouched": (0, points(REVERSE))}
