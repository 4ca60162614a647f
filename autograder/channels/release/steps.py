"""The steps that build the student repository, each one small and on its own.

Every step takes the ``Release`` (where from, where to, which assignments) and
writes its part under ``release.out``. ``autograder.channels.release.STEPS`` lists them
in order; ``leaks.scan_release`` checks the result.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.channels.classroom import colliding_runner_ids
from autograder.channels.lock import LOCK, constraints_text, declared_requirements, read_lock
from autograder.channels.release import templates
from autograder.course import Assignment, load_course, tomllib
from autograder.stubs import write_stub

# Never part of a release: caches and what running things leaves behind.
JUNK = ("__pycache__", "*.pyc", ".pytest_cache", ".ipynb_checkpoints", ".hypothesis", "build", "*.egg-info")
# Keys of the manifest that point at what students must not get.
PRIVATE_KEYS = ("solution", "hidden_tests")
WORKFLOW = Path(".github/workflows/classroom.yml")
PYTHON_VERSION = "3.11"


@dataclass(frozen=True)
class Release:
    """What a release is built from (the project) and where it goes."""

    project: Path
    out: Path
    assignments: tuple[Assignment, ...]

    @classmethod
    def of(cls, project: Path, out: Path) -> Release:
        course = load_course(project / "course.toml")
        return cls(project=project, out=out, assignments=tuple(course.values()))

    def target(self, path: Path) -> Path:
        """Where a file of the project goes in the release (the same relative place)."""
        return self.out / path.relative_to(self.project)


def copy_assignments(release: Release) -> None:
    """Each assignment's folder (instructions, public tests, figures), with a stub made fresh from the reference."""
    for assignment in release.assignments:
        folder = release.target(assignment.folder)
        shutil.copytree(assignment.folder, folder, ignore=shutil.ignore_patterns(*JUNK))
        for shipped in (assignment.public_tests, assignment.figures):
            if shipped is not None and not shipped.is_relative_to(assignment.folder):
                release.target(shipped).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shipped, release.target(shipped))
        # The working copy may hold an instructor's edits; the stub (and conftest) are what the generator makes.
        write_stub(assignment, folder)


def copy_starter_images(release: Release) -> None:
    """The pictures the exercises work on."""
    images = release.project / "starter_images"
    if images.is_dir():
        shutil.copytree(images, release.target(images), ignore=shutil.ignore_patterns(*JUNK))


def copy_engine(release: Release) -> None:
    """The grader's package, without any assignment's hidden suite."""
    engine = release.project / "autograder"
    hidden = {a.hidden_tests.resolve() for a in release.assignments if a.hidden_tests is not None}
    junk = shutil.ignore_patterns(*JUNK)

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(junk(folder, names))
        return skipped | {name for name in names if (Path(folder) / name).resolve() in hidden}

    shutil.copytree(engine, release.target(engine), ignore=ignore)


def write_course_manifest(release: Release) -> None:
    """course.toml without the keys that point at the reference and the hidden suites."""
    text = (release.project / "course.toml").read_text(encoding="utf-8")
    private = re.compile(rf"^\s*({'|'.join(PRIVATE_KEYS)})\s*=")
    public = [line for line in text.splitlines() if not private.match(line)]
    manifest = release.out / "course.toml"
    manifest.write_text("\n".join(public) + "\n", encoding="utf-8")
    left = [
        key
        for entry in tomllib.loads(manifest.read_text(encoding="utf-8"))["assignments"]
        for key in PRIVATE_KEYS
        if key in entry
    ]
    if left:  # a key written in a form the line filter does not see
        raise ValueError(f"course.toml still names {sorted(set(left))} after removing private keys")


def write_pyproject(release: Release) -> None:
    """pyproject.toml with the project's own requirements, so `pip install -e .` gets what the grader needs."""
    project = tomllib.loads((release.project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    text = templates.PYPROJECT.substitute(
        name="diffusion-course-exercises",
        version=project["version"],
        requires_python=project["requires-python"],
        dependencies="\n".join(f"    {_toml_string(d)}," for d in project["dependencies"]),
    )
    (release.out / "pyproject.toml").write_text(text, encoding="utf-8")


def write_lock(release: Release) -> None:
    """requirements.lock: the course's pins of what the students' install asks for, read by `pip -c`."""
    requirements = declared_requirements(release.project)
    text = constraints_text(requirements, "The versions your install uses.", read_lock(release.project / LOCK.name))
    (release.out / LOCK.name).write_text(text, encoding="utf-8")


def write_makefile(release: Release) -> None:
    """The students' Makefile: help, check, grade (public checks), hint, figures, watch."""
    first = release.assignments[0]
    text = templates.MAKEFILE.substitute(assignment=first.id, example_task=first.task_names[0])
    (release.out / "Makefile").write_text(text, encoding="utf-8")


def write_readme(release: Release) -> None:
    """The repository's front page: commands, assignments and their tasks, how grading works."""
    entries = "".join(
        templates.ASSIGNMENT_ENTRY.substitute(
            title=a.title,
            folder=a.folder.relative_to(release.project).as_posix(),
            filename=a.filename,
            tasks=", ".join(f"`{name}`" for name in a.task_names),
        )
        for a in release.assignments
    )
    title = tomllib.loads((release.project / "course.toml").read_text(encoding="utf-8"))["course"]["title"]
    text = templates.README.substitute(
        title=title,
        assignments=entries,
        # Padded so that their comments line up with the other commands' (column 40).
        hint_command=f"make hint TASK={release.assignments[0].task_names[0]}".ljust(34) + " ",
        hint_reset_command=f"make hint TASK={release.assignments[0].task_names[0]} RESET=1".ljust(34) + " ",
    )
    (release.out / "README.md").write_text(text, encoding="utf-8")


def write_gitignore(release: Release) -> None:
    """Keep the students' virtualenv and results out of their commits."""
    (release.out / ".gitignore").write_text(templates.GITIGNORE, encoding="utf-8")


def write_classroom_workflow(release: Release) -> None:
    """The GitHub Classroom workflow: public grading on every push, points to the reporter."""
    collisions = colliding_runner_ids(task for a in release.assignments for task in a.task_names)
    if collisions:
        one, other = collisions[0]
        raise ValueError(
            f"tasks {one} and {other} could give two checks the same runner id "
            "(the task's letters and digits, then the check's number); rename one"
        )
    steps, runners = [], []
    for assignment in release.assignments:
        step_id = f"grade_{assignment.id}"
        steps.append(templates.GRADING_STEP.substitute(assignment=assignment.id, step_id=step_id))
        runners.append(f"${{{{ steps.{step_id}.outputs.runners }}}}")
    text = templates.WORKFLOW.substitute(
        python_version=PYTHON_VERSION, grading_steps="".join(steps), runners=",".join(runners)
    )
    path = release.out / WORKFLOW
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
