"""Each step of `make release`, on its own, in the order autograder.channels.release.STEPS runs them."""

import dataclasses

import pytest

from autograder.channels import release
from autograder.channels.release import steps
from autograder.channels.release.steps import PRIVATE_KEYS, tomllib
from autograder.course import PROJECT_ROOT, load_course
from autograder.stubs import make_stub


@pytest.fixture
def fresh(tmp_path):
    """A release of this project into an empty folder, no step run yet."""
    return steps.Release.of(PROJECT_ROOT, tmp_path)


def test_steps_run_in_the_documented_order():
    """STEPS lists every step function of steps.py once, copies first, the workflow last."""
    names = [step.__name__ for step in release.STEPS]
    defined = [
        name
        for name, value in vars(steps).items()
        if callable(value)
        and getattr(value, "__module__", "") == steps.__name__
        and name.startswith(("copy_", "write_"))
    ]
    assert sorted(names) == sorted(defined)
    assert names[:3] == ["copy_assignments", "copy_starter_images", "copy_engine"]
    assert names[-1] == "write_classroom_workflow"


def test_copy_assignments_ships_instructions_tests_and_a_fresh_stub(fresh, ch01):
    """the assignment folder arrives with its README and public tests, and forward.py is the generated stub."""
    steps.copy_assignments(fresh)
    folder = fresh.out / "assignments" / "ch01_forward"
    assert (folder / "README.md").read_text() == (ch01.folder / "README.md").read_text()
    assert (folder / "test_forward.py").read_text() == ch01.public_tests.read_text()
    assert (folder / "forward.py").read_text() == make_stub(ch01.solution.read_text(), ch01)
    assert not list(folder.rglob("__pycache__"))


def test_copy_starter_images_copies_every_picture(fresh):
    """every PNG of starter_images/ is in the release, byte for byte."""
    steps.copy_starter_images(fresh)
    pictures = sorted((PROJECT_ROOT / "starter_images").glob("*.png"))
    assert pictures
    for picture in pictures:
        assert (fresh.out / "starter_images" / picture.name).read_bytes() == picture.read_bytes()


def test_copy_engine_leaves_out_the_hidden_suites(fresh, ch01):
    """the grader package arrives without the hidden suite folder or any cache."""
    steps.copy_engine(fresh)
    engine = fresh.out / "autograder"
    assert (engine / "grade.py").read_text() == (PROJECT_ROOT / "autograder" / "grade.py").read_text()
    assert (engine / "sandbox" / "worker.py").exists()
    assert not (fresh.out / ch01.hidden_tests.relative_to(PROJECT_ROOT)).exists()
    assert not list(engine.rglob("*.pyc"))


def test_write_course_manifest_keeps_tasks_and_hints_only(fresh):
    """the release's course.toml has every task and hint but no solution or hidden_tests key."""
    steps.write_course_manifest(fresh)
    shipped = tomllib.loads((fresh.out / "course.toml").read_text())
    ours = tomllib.loads((PROJECT_ROOT / "course.toml").read_text())
    for public, private in zip(shipped["assignments"], ours["assignments"], strict=True):
        assert "solution" not in public and "hidden_tests" not in public
        assert {k: v for k, v in public.items() if k not in PRIVATE_KEYS} == {
            k: v for k, v in private.items() if k not in PRIVATE_KEYS
        }  # tasks, hints, limits (where given), figures and notebook extras as written
    steps.copy_assignments(fresh)  # what the manifest names must be there for it to load
    steps.copy_starter_images(fresh)
    assert all(a.solution is None and a.hidden_tests is None for a in load_course(fresh.out / "course.toml").values())


def test_write_pyproject_carries_the_project_requirements(fresh):
    """the students' pyproject.toml installs the same dependencies and the autograder package."""
    steps.write_pyproject(fresh)
    shipped = tomllib.loads((fresh.out / "pyproject.toml").read_text())
    ours = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    assert shipped["project"]["dependencies"] == ours["project"]["dependencies"]
    assert shipped["tool"]["setuptools"]["packages"]["find"]["include"] == ["autograder*"]
    assert "optional-dependencies" not in shipped["project"]


def test_write_makefile_has_the_student_targets(fresh):
    """the Makefile has help, check, grade (public suite only), hint (with RESET), figures and watch targets."""
    steps.write_makefile(fresh)
    text = (fresh.out / "Makefile").read_text()
    assert "$(if $(RESET),--reset)" in text
    for target in ("help:", "check:", "grade:", "hint:", "figures:", "watch:"):
        assert f"\n{target}" in text
    assert "--suites public" in text
    assert "$(PY) -m autograder hint $(ASSIGNMENT) $(TASK)" in text
    assert "\n\t" in text and "\n    $(PY)" not in text  # recipes start with a tab


def test_write_readme_lists_assignments_tasks_and_commands(fresh, ch01):
    """the front page names each assignment, its tasks, and the make commands."""
    steps.write_readme(fresh)
    text = (fresh.out / "README.md").read_text()
    assert ch01.title in text
    assert all(f"`{task}`" in text for task in ch01.task_names)
    assert "make check" in text and "make grade" in text and "make hint" in text and "RESET=1" in text
    assert "make test" not in text  # in the course repository that is the developers' suite


def test_write_gitignore_keeps_the_virtualenv_out(fresh):
    """.gitignore lists .venv and build."""
    steps.write_gitignore(fresh)
    lines = (fresh.out / ".gitignore").read_text().splitlines()
    assert ".venv/" in lines and "build/" in lines


def test_write_classroom_workflow_hands_every_grading_steps_runners_to_the_reporter(fresh):
    """the workflow grades each assignment with the engine and hands the ids each step writes to the reporter."""
    steps.write_classroom_workflow(fresh)
    text = (fresh.out / ".github" / "workflows" / "classroom.yml").read_text()
    assert "\n  run-autograding-tests:\n" in text  # the job whose check run Classroom reads
    assert "uses: classroom-resources/autograding-grading-reporter@v1" in text
    ids = [f"grade_{a.id}" for a in fresh.assignments]
    for assignment in fresh.assignments:
        assert f"run: python -m autograder classroom {assignment.id}" in text
    assert "runners: " + ",".join(f"${{{{ steps.{i}.outputs.runners }}}}" for i in ids) in text
    assert 'echo "::remove-matcher owner=python::"' in text  # no traceback-shaped print becomes an annotation
    assert "\t" not in text  # YAML forbids tabs


def test_write_classroom_workflow_refuses_tasks_whose_runner_ids_could_meet(fresh):
    """two tasks named so that their checks' runner ids could be equal (step, step_1) stop the release."""
    assignment = fresh.assignments[0]
    first = assignment.tasks[0]
    twin = dataclasses.replace(first, name=f"{first.name}_1")
    clash = dataclasses.replace(assignment, tasks=(*assignment.tasks, twin))
    with pytest.raises(ValueError, match="runner id"):
        steps.write_classroom_workflow(dataclasses.replace(fresh, assignments=(clash,)))


def test_build_release_refuses_to_replace_a_folder_it_did_not_build(tmp_path):
    """an existing folder that is not a release is left alone."""
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        release.build_release(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.slow
def test_build_release_command_prints_where_it_is(tmp_path, capsys):
    """`python -m autograder release --out DIR` builds, scans and reports the folder."""
    from autograder.cli import main  # noqa: PLC0415

    assert main(["release", "--out", str(tmp_path / "rel")]) == 0
    assert "scanned" in capsys.readouterr().out
    assert (tmp_path / "rel" / ".github" / "workflows" / "classroom.yml").exists()
    assert not (tmp_path / "rel.partial").exists()
