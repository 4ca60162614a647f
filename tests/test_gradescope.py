"""The Gradescope bundle, unpacked into a scratch root laid out like Gradescope's, grades as the engine does."""

import dataclasses
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from suite_totals import points
from test_hostile import SHORT
from wrong_variants import write_wrong

from autograder.channels import lock
from autograder.channels.gradescope import (
    GRADER_MB,
    HEADROOM_MB,
    HIDDEN_VISIBILITY,
    build_bundle,
    limits_for_container,
    unpack,
)
from autograder.cli import main as autograder_main
from autograder.course import PROJECT_ROOT
from autograder.grade import grade_submission
from autograder.results import GradeReport
from autograder.sandbox import Limits

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, ch01):
    return build_bundle(ch01, tmp_path_factory.mktemp("gradescope"))


@pytest.fixture(scope="module")
def bundle_of_each_check(tmp_path_factory, ch01):
    return build_bundle(ch01, tmp_path_factory.mktemp("gradescope-each"), hidden_checks="each")


@pytest.fixture(scope="module")
def laid_out_once(bundle, tmp_path_factory) -> tuple[Path, Path]:
    """The bundle laid out and set up once per module (with this interpreter setup.sh installs nothing; it
    compiles the grader and verifies the reference), and where a pristine copy of it is kept."""
    root = laid_out(bundle, tmp_path_factory.mktemp("laid-out"))
    kept = tmp_path_factory.mktemp("kept") / "autograder"
    shutil.copytree(root, kept, symlinks=True)
    return root, kept


def fresh_root(laid_out_once: tuple[Path, Path]) -> Path:
    """The pristine copy put back where setup.sh ran, as every run of Gradescope's starts from the image (the
    record of the reference's verification names its files by path: elsewhere each run would verify again)."""
    root, kept = laid_out_once
    shutil.rmtree(root)
    return Path(shutil.copytree(kept, root, symlinks=True))


@pytest.fixture
def root(laid_out_once):
    """/autograder as Gradescope lays it out, after setup.sh has run (with this interpreter): a fresh copy."""
    return fresh_root(laid_out_once)


def laid_out(bundle, tmp_path):
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


@pytest.fixture(scope="module")
def engine(ch01):
    """What grade_submission gives a file, graded once per module for its bytes and suites, with the hidden
    suite shown after the due date (a visibility changes no score)."""
    reports = {}

    def run(path, suites=("public", "hidden")):
        key = (Path(path).read_bytes(), tuple(suites))
        if key not in reports:
            reports[key] = grade_submission(ch01, path, suites=suites, visibility={"hidden": HIDDEN_VISIBILITY})
        return reports[key]

    return run


def seen_and_unseen(report):
    """The checks students see at once and the others, when the hidden suite is shown after the due date."""
    seen = [t for t in report.tests if t.visibility == "visible"]
    return seen, [t for t in report.tests if t.visibility != "visible"]


@pytest.fixture(scope="module")
def reference_results(laid_out_once, ch01) -> dict:
    """results.json of the reference uploaded as forward.py, run once per module."""
    root = fresh_root(laid_out_once)
    shutil.copyfile(ch01.solution, root / "submission" / "forward.py")
    return run_autograder(root)


def test_reference_gets_full_marks_with_every_entry_visible_so_students_see_the_total(reference_results, ch01, engine):
    """by default every entry is visible, so Gradescope shows the total: visible checks, one per task for the rest."""
    results = reference_results
    assert results["score"] == results["max_score"] == engine(ch01.solution).max_score
    public, hidden = seen_and_unseen(engine(ch01.solution))
    assert hidden and {t.task for t in hidden} == set(ch01.task_names)
    shown = {t["name"]: t for t in results["tests"]}
    assert {t["visibility"] for t in results["tests"]} == {"visible"} and results["visibility"] == "visible"
    assert set(shown) == {t.name for t in public} | {f"{task}: hidden checks" for task in ch01.task_names}
    for task in ch01.task_names:
        mine = [t for t in hidden if t.task == task]
        entry = shown[f"{task}: hidden checks"]
        assert entry["score"] == entry["max_score"] == sum(t.max_score for t in mine)
        assert entry["output"].startswith(f"All {len(mine)} hidden checks of {task} pass")
    assert results["stdout_visibility"] == "hidden"
    if os.geteuid() == 0:  # Gradescope runs as root: the student's code must not
        assert results["extra_data"]["protections"]["in_force"]["privileges_dropped"] is True


@dataclasses.dataclass(frozen=True)
class WrongRun:
    """One run of run_autograder on a submission with one mistake, and what the engine gives that file."""

    expected: GradeReport
    stdout: str
    text: str  # results.json


@pytest.fixture(scope="module")
def wrong_run(laid_out_once, ch01, engine) -> WrongRun:
    """A submission with one mistake (variance_weights), uploaded in a folder, run once per module."""
    root = fresh_root(laid_out_once)
    wrong = write_wrong(ch01.solution, "variance_weights", root / "submission" / "my_work" / "forward.py")
    run = subprocess.run(
        [str(root / "run_autograder")], cwd=root, env=gradescope_env(root), capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    return WrongRun(engine(wrong), run.stdout, (root / "results" / "results.json").read_text())


def test_hidden_checks_names_and_messages_never_reach_the_results_by_default(wrong_run):
    """a submission failing hidden checks: its score is the engine's, and no hidden check's name or message is in
    results.json, only how many of each task's pass; run_autograder's output (instructors only) lists them."""
    expected, text = wrong_run.expected, wrong_run.text
    results = json.loads(text)
    assert results["score"] == expected.score < results["max_score"]
    public, hidden = seen_and_unseen(expected)
    failed = [t for t in hidden if not t.passed]
    assert failed
    assert [test.name for test in hidden if test.name in text] == []
    for test in failed:
        assert test.name.split(": ", 1)[1] in wrong_run.stdout  # the instructor's view names it
        if all(test.output != p.output for p in public):
            assert test.output.splitlines()[0] not in text
    mine = [t for t in hidden if t.task == "add_noise"]
    entry = next(t for t in results["tests"] if t["name"] == "add_noise: hidden checks")
    assert entry["output"].startswith(f"{sum(t.passed for t in mine)} of {len(mine)} hidden checks of add_noise pass")
    assert entry["score"] == sum(t.score for t in mine) < entry["max_score"]


def test_each_hidden_check_on_its_own_is_shown_after_the_due_date(bundle_of_each_check, ch01, engine, tmp_path):
    """--hidden-checks each: public checks visible, every hidden check its own entry, shown after the due date."""
    root = laid_out(bundle_of_each_check, tmp_path)
    shutil.copyfile(ch01.solution, root / "submission" / "forward.py")
    results = run_autograder(root)
    assert results["score"] == results["max_score"] == engine(ch01.solution).max_score
    public = {t.name for t in engine(ch01.solution, suites=("public",)).tests}
    shown = {t["name"]: t["visibility"] for t in results["tests"]}
    assert set(shown) == {t.name for t in engine(ch01.solution).tests}
    assert {name for name, v in shown.items() if v == "visible"} == public
    assert {v for name, v in shown.items() if name not in public} == {HIDDEN_VISIBILITY}


@pytest.mark.parametrize(
    ("arguments", "written"),
    [
        ([], "--hidden-checks per-task --container-mb"),
        (["--hidden-checks", "each"], "--hidden-checks each --hidden-visibility after_due_date"),
        (["--hidden-visibility", "hidden"], "--hidden-checks each --hidden-visibility hidden"),  # its old meaning
        (["--hidden-checks", "each", "--hidden-visibility", "after_published"], "each --hidden-visibility after_pub"),
    ],
)
def test_the_command_line_choice_is_what_run_autograder_grades_with(arguments, written, ch01, tmp_path):
    """`python -m autograder gradescope` writes the instructor's choice into run_autograder; the default is per-task."""
    assert autograder_main(["gradescope", ch01.id, "--out", str(tmp_path), *arguments]) == 0
    with zipfile.ZipFile(tmp_path / f"{ch01.id}.zip") as archive:
        script = archive.read("run_autograder").decode()
    assert written in " ".join(script.replace("\\\n", " ").split())


def test_a_visibility_for_entries_per_task_is_refused(ch01, tmp_path, capsys):
    """per-task entries are always visible: asking for another visibility with them is a user's mistake (exit 2)."""
    with pytest.raises(SystemExit) as stopped:
        autograder_main(["gradescope", ch01.id, "--out", str(tmp_path), "--hidden-checks", "per-task",
                         "--hidden-visibility", "hidden"])  # fmt: skip
    assert stopped.value.code == 2 and "--hidden-visibility applies to --hidden-checks each" in capsys.readouterr().err


def test_wrong_submission_gets_what_the_engine_gives_it(wrong_run):
    """a submission with one mistake, uploaded in a folder, scores exactly what grade_submission gives it."""
    results, expected = json.loads(wrong_run.text), wrong_run.expected
    assert results["score"] == expected.score
    assert 0 < results["score"] < results["max_score"]
    failed = {t["name"] for t in results["tests"] if t["score"] < t["max_score"]}
    seen, unseen = seen_and_unseen(expected)
    hidden_tasks = {f"{t.task}: hidden checks" for t in unseen if not t.passed}
    assert failed == {t.name for t in seen if not t.passed} | hidden_tasks
    assert all(name.startswith("add_noise") for name in failed)


def test_missing_file_gets_zero_and_says_what_to_upload(root):
    """an upload without forward.py still gets a results.json: 0 points, the files it holds, what to upload."""
    (root / "submission" / "answers.txt").write_text("see attached")
    results = run_autograder(root)
    assert results["score"] == 0
    assert all(test["score"] == 0 for test in results["tests"])
    assert "holds 1 file(s) (answers.txt): no Python file" in results["output"]
    assert "Upload your forward.py" in results["output"]


def test_a_folder_named_forward_py_is_not_called_an_empty_upload(root):
    """a folder where the file should be: 0 points, the reason says no file has the name, and no "empty" note."""
    (root / "submission" / "forward.py").mkdir()
    results = run_autograder(root)
    assert results["score"] == 0
    assert "holds no file named forward.py" in results["output"] and "empty" not in results["output"]


@pytest.mark.parametrize("name", ["forward (1).py", "Forward.py", "forward_final.py", "nested/mine.py"])
def test_the_only_python_file_is_graded_as_forward_py_with_a_note(root, ch01, engine, name):
    """a lone Python file of any name scores what forward.py would, and the student is told it was renamed."""
    wrong = write_wrong(ch01.solution, "fencepost", root / "submission" / name)
    (root / "submission" / "README.md").write_text("my notes")
    (root / "submission" / "__MACOSX").mkdir()
    (root / "submission" / "__MACOSX" / "._forward.py").write_bytes(b"\x00\x05\x16\x07")
    results = run_autograder(root)
    assert results["score"] == engine(wrong).score
    assert 0 < results["score"] < results["max_score"]
    assert results["output"].startswith(
        f"Note: your upload has no file named forward.py, so its only Python file, {name}, was graded as forward.py."
    )


def test_several_python_files_without_forward_py_get_zero_and_are_listed(root, ch01):
    """two candidate files are not guessed between: 0 points, and both are named."""
    for name in ("forward_v1.py", "forward_v2.py"):
        shutil.copyfile(ch01.solution, root / "submission" / name)
    results = run_autograder(root)
    assert results["score"] == 0
    assert "holds 2 file(s) (forward_v1.py, forward_v2.py): 2 Python files" in results["output"]


def test_a_forward_py_beside_other_python_files_is_the_one_graded(root, ch01):
    """with forward.py present, a helper file beside it changes nothing and brings no note."""
    shutil.copyfile(ch01.solution, root / "submission" / "forward.py")
    write_wrong(ch01.solution, "fencepost", root / "submission" / "old_attempt.py")
    results = run_autograder(root)
    assert results["score"] == results["max_score"]
    assert results["output"] == ""


def test_try_out_recipe_in_the_docs_works_as_written(tmp_path, ch01):
    """docs/scaling.md's try-out lines, run from the project folder with this interpreter, grade a renamed reference."""
    doc = (PROJECT_ROOT / "docs" / "scaling.md").read_text()
    block = doc.split("<!-- try-out: tests/test_gradescope.py runs these lines -->\n")[1]
    block = block.split("<!-- end of try-out -->")[0]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    assert lines[0] == "make gradescope" and any("AUTOGRADER_PYTHON=.venv/bin/python" in line for line in lines)
    python = os.path.relpath(sys.executable, PROJECT_ROOT)  # relative, as in the docs
    scratch = tmp_path / "ag"
    script = "\n".join(
        ["set -euo pipefail", f"make --no-print-directory gradescope PY={python} STAMP= BUILD={tmp_path}/build"]
        + [line.replace("/tmp/ag", str(scratch)).replace(".venv/bin/python", python) for line in lines[1:]]
    ).replace("build/gradescope/", f"{tmp_path}/build/gradescope/")
    done = subprocess.run(
        ["bash", "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout[done.stdout.index("{") :])
    assert results["score"] == results["max_score"] == points(ch01)
    assert "forward (1).py, was graded as forward.py" in results["output"]


def test_limits_fit_gradescopes_default_container():
    """in 768 MB: one student process of 448 MB, replies of 64 MB; a 2 GB container gets the course's own limit."""
    course = Limits(memory_mb=1536, reply_mb=256, processes=32)
    small = limits_for_container(course, 768)
    assert (small.memory_mb, small.reply_mb, small.processes) == (448, 64, 1)
    assert HEADROOM_MB + GRADER_MB + 2 * small.reply_mb + small.processes * small.memory_mb <= 768
    assert limits_for_container(course, 2048).memory_mb == 1536
    with pytest.raises(ValueError, match="Autograder Settings"):
        limits_for_container(course, 384)


def bundle_with_short_limits(root) -> None:
    """Give the unpacked bundle's course.toml test_hostile's SHORT limits: a runaway function is stopped in seconds."""
    manifest = root / "source" / "course.toml"
    text = manifest.read_text()
    for key, value in SHORT.items():
        text, found = re.subn(rf"^{key} = \S+", f"{key} = {value}", text, flags=re.MULTILINE)
        assert found == 1, key
    manifest.write_text(text)


@pytest.mark.parametrize(("name", "task"), [("memory_bomb.py", "add_noise"), ("fork_storm.py", "noise_step")])
def test_a_memory_bomb_or_fork_storm_costs_its_function_not_the_container(root, name, task):
    """under the container's limits, a runaway function fails only itself and no process grows past its share."""
    bundle_with_short_limits(root)  # SHORT's memory is above the container's share: the share still holds
    shutil.copyfile(PROJECT_ROOT / "tests" / "hostile" / name, root / "submission" / "forward.py")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    results = run_autograder(root)
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    lost = {t["name"] for t in results["tests"] if t["score"] < t["max_score"]}  # the reference loses none
    assert lost and all(n.startswith(task) for n in lost)
    assert results["extra_data"]["memory_mb"] == {
        "container": 768,
        "student_process": 448,
        "student_processes": 1,
        "reply": 64,
    }
    assert peak_mb < 768 - HEADROOM_MB


def test_the_image_pins_every_package_grading_loads_and_no_figure_package(reference_results, laid_out_once):
    """each package a real grading imports (results.json records them) is pinned in the bundle; Matplotlib is not."""
    packages = reference_results["extra_data"]["packages"]
    root = laid_out_once[1]
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


@pytest.mark.parametrize(("variable", "flag"), [("", ""), ("HIDDEN_CHECKS=each", " --hidden-checks each")])
def test_make_gradescope_passes_the_choice_on(variable, flag):
    """`make gradescope` builds with the default; HIDDEN_CHECKS=each reaches the command line as --hidden-checks."""
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "gradescope", "STAMP=", *filter(None, [variable])],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1].endswith(f"--out build/gradescope{flag}")
