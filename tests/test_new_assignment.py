"""Adding an assignment is a data change: a second, throwaway one works in every command and channel.

The course is copied to a scratch folder, the assignment added with only the
files the contract lists (``new_course.py``), and every command run there as
``python -m autograder ...``, so nothing of this project's own checkout helps.
"""

import csv
import json
import os
import re
import shutil
import sys
import zipfile

import nbformat
import pytest
from engine_names import course_names, engine_hits
from new_course import AUTHORED, CLIP, CLIP_MODULE, MODULE, TASKS, TOY, autograder, make_course, run, walked_files

from autograder.channels.classroom import runner_id
from autograder.course import load_course
from autograder.sandbox import namespaces

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow

# The toy's checks are the fixture's own: public 1 + 1, hidden 2 x 3 cases + 3.
PUBLIC_POINTS = 2
TOTAL_POINTS = 11
CHAPTER_1_NAMES = ("ch01_forward", "cosine_schedule", "add_noise", "noise_step", "forward.py", "sky_sun_ground")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("course") / "course")


@pytest.fixture(scope="module")
def toy(course):
    return load_course(course / "course.toml")[TOY]


@pytest.fixture(scope="module")
def released(course, tmp_path_factory):
    """``python -m autograder release`` of the course with both new assignments: (its run, where it is)."""
    out = tmp_path_factory.mktemp("released") / "release"
    return autograder(course, "release", "--out", str(out)), out


def results(course, name="results.json"):
    return json.loads((course / "build" / name).read_text())


def test_the_author_adds_only_the_contracts_files(course, toy):
    """the new assignment's folder is the authored files plus the stub and conftest the engine writes."""
    engine_files = {p.relative_to(course).as_posix() for p in (course / "autograder").rglob("*.py")}
    assert not [name for name in engine_files if name.startswith(f"autograder/suites/{TOY}/__init__")]
    written = {p.relative_to(course).as_posix() for p in toy.folder.iterdir()}
    authored_here = {name for name in AUTHORED if name.startswith(f"assignments/{TOY}/")}
    assert written - authored_here == {f"assignments/{TOY}/{MODULE}.py", f"assignments/{TOY}/conftest.py"}


def test_grade_gives_the_reference_full_marks_and_the_stub_zero(course, toy):
    """make grade ASSIGNMENT=<new id>: the reference scores every point of both suites, the stub none."""
    done = autograder(course, "grade", TOY, "--submission", str(toy.solution), "--results", "build/reference.json")
    assert done.returncode == 0, done.stderr
    graded = results(course, "reference.json")
    assert graded["score"] == graded["max_score"] == TOTAL_POINTS
    assert {t["name"].split(":")[0] for t in graded["tests"]} == set(TASKS)
    stub = autograder(course, "grade", TOY, "--results", "build/stub.json")
    assert stub.returncode == 0, stub.stderr
    assert results(course, "stub.json")["score"] == 0


def test_hint_gives_the_new_tasks_hints(course, toy):
    """make hint for a task of the new assignment prints its first hint."""
    done = autograder(course, "hint", TOY, "summed_variance")
    assert done.returncode == 0, done.stderr
    assert toy.task("summed_variance").hints[0] in done.stdout


def test_figures_say_in_one_line_that_there_are_none(course):
    """make figures for an assignment that declares no figures prints one line and exits 0."""
    done = autograder(course, "figures", TOY)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == [
        f"{TOY} declares no figures (course.toml has no `figures` for it): nothing to draw"
    ]


def test_release_ships_the_new_assignment_and_plain_pytest_runs_there(course, released, tmp_path):
    """make release holds the new assignment with its generated stub and conftest; its make check runs its tests."""
    done, built = released
    assert done.returncode == 0, done.stdout + done.stderr
    out = shutil.copytree(built, tmp_path / "release")  # a student's clone, which gets the solution below
    folder = out / "assignments" / TOY
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "conftest.py", f"{MODULE}.py", f"test_{MODULE}.py"]
    assert not (out / "solutions").exists() and not (out / "autograder" / "suites" / TOY).exists()
    make = [
        "make",
        "--no-print-directory",
        "-C",
        str(out),
        "check",
        f"ASSIGNMENT={TOY}",
        "SETUP=",
        f"PY={sys.executable}",
    ]
    # A student's virtualenv holds none of this project's development pytest plugins, whose
    # loading is most of the time of a `make check` here.
    as_shipped = run(out, *make, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    assert as_shipped.returncode != 0 and "2 failed" in as_shipped.stdout, as_shipped.stdout
    shutil.copyfile(course / "solutions" / TOY / f"{MODULE}.py", folder / f"{MODULE}.py")
    solved = run(out, *make, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    assert solved.returncode == 0 and "2 passed" in solved.stdout, solved.stdout + solved.stderr
    workflow = (out / ".github" / "workflows" / "classroom.yml").read_text()
    assert f"python -m autograder classroom {TOY}" in workflow
    assert f"${{{{ steps.grade_{TOY}.outputs.runners }}}}" in workflow  # its checks go to the reporter


def test_release_scans_the_new_assignments_secrets(course, tmp_path):
    """a line of the new reference planted in the release makes the release refuse, naming the assignment."""
    planted = course / "assignments" / TOY / "notes.md"
    planted.write_text("    return float(np.sum(np.square(np.asarray(stds, dtype=np.float64))))\n")
    try:
        done = autograder(course, "release", "--out", str(tmp_path / "release"))
    finally:
        planted.unlink()
    assert done.returncode == 1
    assert f"assignments/{TOY}/notes.md" in done.stdout and TOY in done.stdout
    assert not (tmp_path / "release").exists()


def test_gradescope_bundle_holds_only_the_new_assignment(course, tmp_path):
    """make gradescope ASSIGNMENT=<new id>: its hidden suite, reference and manifest entry, nothing of the others."""
    done = autograder(course, "gradescope", TOY, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / f"{TOY}.zip") as bundle:
        names = bundle.namelist()
        manifest = bundle.read("course.toml").decode()
    suites = {name.split("/")[2] for name in names if name.startswith("autograder/suites/") and name.count("/") > 2}
    assert suites == {TOY}
    assert {name.split("/")[1] for name in names if name.startswith("solutions/")} == {TOY}
    assert f'id = "{TOY}"' in manifest and manifest.count("[[assignments]]") == 1
    assert not [name for name in CHAPTER_1_NAMES if name in manifest]


def test_gradescope_bundle_grades_the_new_assignment(course, tmp_path):
    """the unpacked bundle, run as Gradescope runs it, gives the reference full marks."""
    done = autograder(course, "gradescope", TOY, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / f"{TOY}.zip") as bundle:
        bundle.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    shutil.copyfile(course / "solutions" / TOY / f"{MODULE}.py", root / "submission" / f"{MODULE}.py")
    graded = run(root / "source", sys.executable, "-m", "autograder", "gradescope-run", TOY, "--root", str(root))
    assert graded.returncode == 0, graded.stdout + graded.stderr
    report = json.loads((root / "results" / "results.json").read_text())
    assert report["score"] == TOTAL_POINTS


def test_grade_all_grades_a_class_of_the_new_assignment(course, tmp_path):
    """make grade-all ASSIGNMENT=<new id> grades each student on its checks."""
    submissions = tmp_path / "submissions"
    (submissions / "right").mkdir(parents=True)
    shutil.copyfile(course / "solutions" / TOY / f"{MODULE}.py", submissions / "right" / f"{MODULE}.py")
    (submissions / "empty").mkdir()
    (submissions / "empty" / f"{MODULE}.py").write_text("")
    done = autograder(course, "grade-all", TOY, str(submissions), "--out", str(tmp_path / "grades"))
    assert done.returncode == 0, done.stdout + done.stderr
    with (tmp_path / "grades" / "grades.csv").open() as gradebook:
        rows = {row["student"]: row for row in csv.DictReader(gradebook)}
    assert float(rows["right"]["score"]) == TOTAL_POINTS and float(rows["empty"]["score"]) == 0


def test_classroom_grades_the_new_assignments_public_checks(course):
    """python -m autograder classroom <new id> reports one runner per public check of the new assignment."""
    done = autograder(course, "classroom", TOY)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout[done.stdout.index("{") :])
    assert {re.sub(r"\d+$", "", runner) for runner in report} == {runner_id(task) for task in TASKS}
    assert sum(runner["max_score"] for runner in report.values()) == PUBLIC_POINTS


def test_notebook_holds_nothing_of_another_assignment(course, tmp_path):
    """the new assignment's nbgrader notebook has its own tasks only: no other chapter's cells or files."""
    pytest.importorskip("nbgrader", reason="the nbgrader extra is installed by `make test`")
    done = autograder(course, "nbgrader-release", TOY, "--course", str(tmp_path / "nb"))
    assert done.returncode == 0, done.stdout + done.stderr
    source = tmp_path / "nb" / "source" / TOY
    assert sorted(p.name for p in source.iterdir()) == [f"{TOY}.ipynb"]
    notebook = nbformat.read(str(source / f"{TOY}.ipynb"), as_version=4)
    text = "\n".join(cell.source for cell in notebook.cells)
    assert not [name for name in CHAPTER_1_NAMES if name in text]
    assert all(f"def {task}(" in text for task in TASKS)
    released = tmp_path / "nb" / "release" / TOY / f"{TOY}.ipynb"
    assert released.is_file()


# -- the walk docs/authoring.md describes: a one-function assignment, clip_values ---------------------

CLIP_POINTS = 8  # public 1; hidden 2 x 3 cases + 1


def modes(root):
    """Every path of the course (what it ships and what it keeps), with its permission bits; build/ left out."""
    kept = [p for p in root.rglob("*") if "build" not in p.relative_to(root).parts and "__pycache__" not in p.parts]
    return {p.relative_to(root).as_posix(): p.lstat().st_mode for p in [root, *kept]}


def closes_the_checkout() -> bool:
    """Whether grading here closes the checkout to other users: as root without namespaces (docs/security.md)."""
    return os.name == "posix" and os.geteuid() == 0 and not namespaces.available()


def test_clip_values_grades_the_reference_full_and_the_stub_zero_leaving_the_modes(course):
    """make grade ASSIGNMENT=clip_values: the reference 8 of 8, the stub 0, and no mode of the checkout changes."""
    before = modes(course)
    reference = course / "solutions" / CLIP / f"{CLIP_MODULE}.py"
    done = autograder(course, "grade", CLIP, "--submission", str(reference), "--results", "build/clip.json")
    assert done.returncode == 0, done.stderr
    assert results(course, "clip.json")["score"] == CLIP_POINTS == results(course, "clip.json")["max_score"]
    stub = autograder(course, "grade", CLIP, "--results", "build/clip_stub.json")
    assert stub.returncode == 0, stub.stderr
    assert results(course, "clip_stub.json")["score"] == 0
    if not closes_the_checkout():
        assert modes(course) == before
        assert "lost their access" not in done.stderr + stub.stderr


def test_clip_values_release_refuses_a_real_leak_only(course, released, tmp_path):
    """a hint quoting the solution line and a common idiom pass the leak scan; the solution's own line does not."""
    done, out = released
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "assignments" / CLIP / f"{CLIP_MODULE}.py").is_file()
    planted = course / "assignments" / CLIP / "notes.md"
    planted.write_text('Raise ValueError(F"lo ({lo}) is above hi ({hi})")\n')  # the solution's line, recased
    try:
        leaking = autograder(course, "release", "--out", str(tmp_path / "leaking"))
    finally:
        planted.unlink()
    assert leaking.returncode == 1
    assert f"assignments/{CLIP}/notes.md: {CLIP}'s solution line " in leaking.stdout
    assert not (tmp_path / "leaking").exists()


def test_clip_values_gradescope_bundle_grades_the_reference(course, tmp_path):
    """make gradescope ASSIGNMENT=clip_values: the bundle, run as Gradescope runs it, gives the reference 8 of 8."""
    done = autograder(course, "gradescope", CLIP, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / f"{CLIP}.zip") as bundle:
        bundle.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    shutil.copyfile(course / "solutions" / CLIP / f"{CLIP_MODULE}.py", root / "submission" / f"{CLIP_MODULE}.py")
    graded = run(root / "source", sys.executable, "-m", "autograder", "gradescope-run", CLIP, "--root", str(root))
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert json.loads((root / "results" / "results.json").read_text())["score"] == CLIP_POINTS


def test_clip_values_notebook_is_released(course, tmp_path):
    """make nbgrader-release ASSIGNMENT=clip_values writes the notebook with the task's stub and no solution line."""
    pytest.importorskip("nbgrader", reason="the nbgrader extra is installed by `make test`")
    done = autograder(course, "nbgrader-release", CLIP, "--course", str(tmp_path / "nb"))
    assert done.returncode == 0, done.stdout + done.stderr
    released = nbformat.read(str(tmp_path / "nb" / "release" / CLIP / f"{CLIP}.ipynb"), as_version=4)
    text = "\n".join(cell.source for cell in released.cells)
    assert "def clip_values(" in text and 'raise ValueError(f"lo' not in text


def test_the_copys_engine_names_neither_new_assignment(course):
    """the course-neutral scan passes with the new names (module `clip` against the engine's np.clip)."""
    assert engine_hits(course, course_names(load_course(course / "course.toml").values())) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="only root closes the checkout to other users")
def test_without_namespaces_the_grader_names_once_what_it_closed(course, tmp_path):
    """as root without namespaces, the first grading names the paths it closed on stderr; the next says nothing."""
    copy = tmp_path / "course"
    shutil.copytree(course, copy, symlinks=True, ignore=shutil.ignore_patterns("build"))
    (copy / "solutions" / CLIP).chmod(0o755)
    reference = str(copy / "solutions" / CLIP / f"{CLIP_MODULE}.py")
    runs = [
        autograder(
            copy, "grade", CLIP, "--submission", reference, "--results", f"build/{n}.json", AUTOGRADER_NAMESPACES="0"
        )
        for n in (1, 2)
    ]
    assert [done.returncode for done in runs] == [0, 0], runs[0].stderr
    said = [line for line in runs[0].stderr.splitlines() if "lost their access" in line]
    assert len(said) == 1 and f"solutions/{CLIP}" in said[0] and "docs/security.md" in said[0]
    assert "lost their access" not in runs[1].stderr
    assert (copy / "solutions" / CLIP).stat().st_mode & 0o777 == 0o700


def test_the_walk_in_authoring_md_shows_every_file_an_author_adds():
    """docs/authoring.md's walk shows the manifest block, the reference, the README, the public and hidden tests."""
    assert sorted(walked_files()) == sorted(
        [
            "course.toml",
            f"solutions/{CLIP}/{CLIP_MODULE}.py",
            f"assignments/{CLIP}/README.md",
            f"assignments/{CLIP}/test_{CLIP_MODULE}.py",
            f"autograder/suites/{CLIP}/test_{CLIP}.py",
        ]
    )
