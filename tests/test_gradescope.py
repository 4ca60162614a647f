"""The Gradescope bundle, unpacked into a scratch root laid out like Gradescope's, grades as the engine does."""

import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import zipfile

import pytest
from wrong_variants import write_wrong

from autograder.channels import lock
from autograder.channels.gradescope import HIDDEN_VISIBILITY, build_bundle, unpack
from autograder.course import PROJECT_ROOT


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, ch01):
    return build_bundle(ch01, tmp_path_factory.mktemp("gradescope"))


@pytest.fixture
def root(bundle, tmp_path):
    """/autograder as Gradescope lays it out, after setup.sh has run (with this interpreter)."""
    root = tmp_path / "autograder"
    root.mkdir()
    unpack(bundle, root)
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


def gradescope_env(root):
    return {"PATH": os.environ["PATH"], "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}


def run_autograder(root):
    """Run the bundle's run_autograder the way Gradescope does: from /autograder, and read results.json."""
    run = subprocess.run(
        [str(root / "run_autograder")],
        cwd=root,
        env=gradescope_env(root),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_bundle_has_the_scripts_at_its_root_and_what_they_need(bundle, ch01):
    """setup.sh and run_autograder sit at the zip's root, executable, beside engine, hidden suites and reference."""
    with zipfile.ZipFile(bundle) as archive:
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in archive.infolist()}
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    for path in (ch01.solution, ch01.public_tests, *ch01.hidden_tests.glob("test_*.py"), PROJECT_ROOT / "course.toml"):
        assert path.relative_to(PROJECT_ROOT).as_posix() in modes
    assert "autograder/channels/gradescope.py" in modes and "requirements.txt" in modes
    assert not [name for name in modes if "__pycache__" in name or name.endswith(".pyc")]


def test_reference_gets_full_marks_with_hidden_checks_after_the_due_date(root, ch01, grade):
    """the reference scores every point; public checks are visible, hidden ones shown after the due date."""
    shutil.copyfile(ch01.solution, root / "submission" / "forward.py")
    results = run_autograder(root)
    assert results["score"] == results["max_score"] == grade(ch01.solution).max_score
    public = {t.name for t in grade(ch01.solution, suites=("public",)).tests}
    shown = {t["name"]: t["visibility"] for t in results["tests"]}
    assert {name for name, v in shown.items() if v == "visible"} == public
    assert {v for name, v in shown.items() if name not in public} == {HIDDEN_VISIBILITY}
    assert results["stdout_visibility"] == "hidden"
    if os.geteuid() == 0:  # Gradescope runs as root: the student's code must not
        assert results["extra_data"]["protections"]["in_force"]["privileges_dropped"] is True


def test_wrong_submission_gets_what_the_engine_gives_it(root, ch01, grade, tmp_path):
    """a submission with one mistake, uploaded in a folder, scores exactly what grade_submission gives it."""
    wrong = write_wrong(ch01.solution, "variance_weights", root / "submission" / "my_work" / "forward.py")
    results = run_autograder(root)
    expected = grade(wrong)
    assert results["score"] == expected.score
    assert 0 < results["score"] < results["max_score"]
    failed = {t["name"] for t in results["tests"] if t["score"] < t["max_score"]}
    assert failed == {t.name for t in expected.tests if not t.passed}
    assert all(name.startswith("add_noise") for name in failed)


def test_missing_file_gets_zero_and_says_what_to_upload(root):
    """an upload without forward.py still gets a results.json: 0 points and what to upload."""
    (root / "submission" / "answers.txt").write_text("see attached")
    results = run_autograder(root)
    assert results["score"] == 0
    assert all(test["score"] == 0 for test in results["tests"])
    assert "forward.py" in results["output"]


def test_the_image_pins_every_package_grading_loads_and_no_figure_package(root, ch01):
    """each package a real grading imports (results.json records them) is pinned in the bundle; Matplotlib is not."""
    shutil.copyfile(ch01.solution, root / "submission" / "forward.py")
    packages = run_autograder(root)["extra_data"]["packages"]
    assert packages["python"] == platform.python_version()
    assert packages["numpy"] == importlib.metadata.version("numpy")
    assert packages["pytest"] == importlib.metadata.version("pytest")
    pinned = {lock.normalize(name) for name in lock_names(root / "source" / "constraints.txt")}
    assert {lock.normalize(name) for name in packages} - {"python"} <= pinned
    assert not pinned & {"matplotlib", "pillow", "nbgrader", "tqdm"}
    requirements = (root / "source" / "requirements.txt").read_text()
    assert "-c constraints.txt" in requirements and "matplotlib" not in requirements


def lock_names(path):
    return [line.split("==")[0] for line in path.read_text().splitlines() if "==" in line and not line.startswith("#")]
