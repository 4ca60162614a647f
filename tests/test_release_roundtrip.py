"""The release works as the students' repository: its own make test, make grade and Classroom step.

The release's Makefile runs with this project's interpreter (`PY=... SETUP=`)
instead of making a virtualenv, so the test stays fast; the release's own
engine is the one imported, since Python looks in the working folder first.
"""

import base64
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import pytest
from suite_totals import check_count, points
from wrong_variants import write_wrong

from autograder.channels.classroom import runner_id
from autograder.channels.release import build_release
from autograder.course import PROJECT_ROOT

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_release(tmp_path_factory.mktemp("roundtrip") / "release")


@pytest.fixture
def student_repo(built, tmp_path):
    """A student's clone of the release."""
    clone = tmp_path / "repo"
    shutil.copytree(built.out, clone)
    return clone


def student_file(repo, assignment):
    """Where the student's file of an assignment is in the clone."""
    return repo / assignment.folder.relative_to(PROJECT_ROOT) / assignment.filename


# A student's virtualenv holds none of this project's development pytest plugins (xdist,
# anyio, ...), whose loading is most of the time of a `make check` here.
STUDENT_PYTEST = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def make(repo, *targets, **variables):
    args = ["make", "--no-print-directory", "-C", str(repo), *targets, f"PY={sys.executable}", "SETUP="]
    args += [f"{k}={v}" for k, v in variables.items()]
    env = {**os.environ, **STUDENT_PYTEST}
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False, env=env)


def test_as_shipped_make_check_fails_naming_each_unfinished_task(student_repo, assignment):
    """the untouched release fails every public check, each saying which function is not implemented yet."""
    run = make(student_repo, "check", ASSIGNMENT=assignment.id)
    assert run.returncode != 0
    for task in assignment.task_names:
        assert f"{task}: not implemented yet" in run.stdout
    assert f"{check_count(assignment, 'public')} failed" in run.stdout


def test_with_the_reference_make_check_passes(student_repo, assignment):
    """with the reference copied in as the student's file, the release's make check passes every public check."""
    shutil.copyfile(assignment.solution, student_file(student_repo, assignment))
    run = make(student_repo, "check", ASSIGNMENT=assignment.id)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{check_count(assignment, 'public')} passed" in run.stdout


def test_make_grade_in_the_release_gives_the_reference_every_public_point(student_repo, assignment):
    """make grade ASSIGNMENT=<id> in the release scores the reference's public checks in full."""
    shutil.copyfile(assignment.solution, student_file(student_repo, assignment))
    run = make(student_repo, "grade", ASSIGNMENT=assignment.id)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((student_repo / "build" / "results.json").read_text())
    assert results["score"] == results["max_score"] == points(assignment, ("public",))


def test_make_help_lists_every_student_command(student_repo):
    """make help in the release lists check, grade, hint (with RESET=1), figures and watch."""
    run = make(student_repo, "help")
    assert run.returncode == 0, run.stderr
    listed = {line.split()[1] for line in run.stdout.splitlines() if line.strip().startswith("make ")}
    assert {"help", "check", "grade", "hint", "figures", "watch"} <= listed
    assert "RESET=1" in run.stdout


def test_make_hint_reset_starts_over(student_repo, ch01):
    """make hint TASK=... gives the next hint each time; with RESET=1 the first one comes again."""
    first = ch01.task("add_noise").hints[0].split()[:6]
    runs = [make(student_repo, "hint", TASK="add_noise") for _ in range(2)]
    assert " ".join(first) in " ".join(runs[0].stdout.split())
    assert " ".join(first) not in " ".join(runs[1].stdout.split())
    reset = make(student_repo, "hint", TASK="add_noise", RESET=1)
    assert reset.returncode == 0 and "start again" in reset.stdout
    again = make(student_repo, "hint", TASK="add_noise")
    assert " ".join(first) in " ".join(again.stdout.split())


def test_make_grade_scores_the_public_checks_with_the_release_engine(student_repo, ch01, grade):
    """make grade in the release gives the reference the full public score, from the release's own engine."""
    shutil.copyfile(ch01.solution, student_repo / "assignments" / "ch01_forward" / "forward.py")
    run = make(student_repo, "grade")
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((student_repo / "build" / "results.json").read_text())
    public = grade(ch01.solution, suites=("public",))
    assert results["score"] == results["max_score"] == public.max_score
    assert results["extra_data"]["suites"] == ["public"]
    which = subprocess.run(
        [sys.executable, "-c", "import autograder; print(autograder.__file__)"],
        cwd=student_repo,
        capture_output=True,
        text=True,
        check=True,
    )
    assert which.stdout.startswith(str(student_repo))


def test_make_figures_in_the_release_draws_from_the_shipped_figures_file(student_repo, ch01):
    """make figures in the release draws the assignment's figures from the release's own copy of its file."""
    shutil.copyfile(ch01.solution, student_repo / "assignments" / "ch01_forward" / "forward.py")
    shipped = student_repo / ch01.figures.relative_to(PROJECT_ROOT)
    assert shipped.read_bytes() == ch01.figures.read_bytes()
    run = make(student_repo, "figures", MPLBACKEND="Agg")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "skipped" not in run.stdout
    assert (student_repo / "build" / "figures" / "strip.png").is_file()


def test_engine_in_the_release_grades_without_hidden_suites(student_repo, ch01, grade, tmp_path):
    """the release's grader, asked for every suite, grades what it has: the public checks."""
    wrong = write_wrong(ch01.solution, "variance_weights", tmp_path / "wrong" / "forward.py")
    out = tmp_path / "r.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "ch01_forward",
            "--submission",
            str(wrong),
            "--results",
            str(out),
        ],
        cwd=student_repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    expected = grade(wrong, suites=("public",))
    assert results["score"] == expected.score < expected.max_score == results["max_score"]


def test_classroom_step_writes_one_result_per_check(student_repo, ch01, grade, tmp_path):
    """the workflow's grading step writes base64 reporter results, one per check, adding up to the public score."""
    wrong = write_wrong(ch01.solution, "fencepost", student_repo / "assignments" / "ch01_forward" / "forward.py")
    outputs, environment = tmp_path / "github_output", tmp_path / "github_env"
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "classroom", "ch01_forward"],
        cwd=student_repo,
        env={"GITHUB_OUTPUT": str(outputs), "GITHUB_ENV": str(environment), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    runners = outputs.read_text().removeprefix("runners=").strip().split(",")
    encoded = dict(line.split("=", 1) for line in environment.read_text().splitlines())
    assert list(encoded) == [f"{runner.upper()}_RESULTS" for runner in runners]
    results = {runner: json.loads(base64.b64decode(encoded[f"{runner.upper()}_RESULTS"])) for runner in runners}
    expected = grade(wrong, suites=("public",))
    assert len(results) == len(expected.tests) and all(len(r["tests"]) == 1 for r in results.values())
    assert sum(t["score"] for r in results.values() for t in r["tests"]) == expected.score
    assert sum(r["max_score"] for r in results.values()) == expected.max_score
    assert results[runner_id("cosine_schedule") + "1"]["status"] == "fail"
    assert all(r["version"] == 1 for r in results.values())


# The zoo's variants whose mistake the public table names (26 of the zoo when the table was last extended).
MIN_NAMED_IN_RELEASE = 26


def test_every_wrong_variant_is_named_in_the_release(built, ch01, tmp_path):
    """the release's own grader, public checks only, names the mistake of every zoo variant the public table knows."""
    zoo = PROJECT_ROOT / "tests" / "submissions" / "ch01_forward" / "wrong"
    mistakes = shipped_mistakes(built.out / ch01.public_tests.relative_to(PROJECT_ROOT))
    # Only the variants whose mistake the public table knows: the others' grades are asserted nothing of.
    wrong = [path for path in sorted(zoo.glob("*.py")) if _named(path) in mistakes]
    folder = tmp_path / "submissions"
    folder.mkdir()
    for path in wrong:
        shutil.copyfile(path, folder / path.name)
    out = tmp_path / "grades"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade-all",
            "ch01_forward",
            str(folder),
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        cwd=built.out,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    unnamed = []
    for path in wrong:
        results = json.loads((out / path.stem / "results.json").read_text())
        failed = [t["output"] for t in results["tests"] if t["score"] < t["max_score"]]
        if not any(mistakes[_named(path)] in output for output in failed):
            unnamed.append(path.stem)
    assert unnamed == []
    assert len(wrong) >= MIN_NAMED_IN_RELEASE


def _named(variant) -> str:
    """The known mistake a zoo variant makes, from its NAMED: line (a name of the public table, a hidden
    check's words, or a name the public table lacks)."""
    return variant.read_text().split("NAMED: ", 1)[1].splitlines()[0].strip()


def test_make_grade_in_the_release_names_the_mistake(student_repo, ch01):
    """a forward.py with (B,) levels on the last axis: make grade in the release says so in words."""
    target = student_repo / "assignments" / "ch01_forward" / "forward.py"
    write_wrong(ch01.solution, "last_axis", target)
    run = make(student_repo, "grade")
    assert run.returncode == 0, run.stderr
    mistakes = shipped_mistakes(student_repo / ch01.public_tests.relative_to(PROJECT_ROOT))
    assert "This looks like a known mistake" in run.stdout
    assert " ".join(mistakes["trailing_axis"].split()[:6]) in " ".join(run.stdout.split())


def shipped_mistakes(public_tests) -> dict[str, str]:
    """The known mistakes the release's public checks name (their MISTAKES table)."""
    spec = importlib.util.spec_from_file_location("_shipped_public_tests", public_tests)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES
