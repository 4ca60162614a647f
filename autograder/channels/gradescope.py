"""Gradescope: build an assignment's autograder zip, and grade inside Gradescope's container.

    python -m autograder gradescope ASSIGNMENT            # build/gradescope/ASSIGNMENT.zip
    python -m autograder.channels.gradescope ASSIGNMENT   # what run_autograder calls (gradescope-run)

Gradescope's autograder specification: the zip holds ``setup.sh`` and
``run_autograder`` at its root; Gradescope unpacks it into ``/autograder/source``,
runs ``setup.sh`` once when it builds the image, copies ``run_autograder`` to
``/autograder/run_autograder`` and runs it, as root with ``/autograder`` as the
working folder, once per submission. The submission is in ``/autograder/submission``;
the grade must be written to ``/autograder/results/results.json``.

The bundle carries the engine, the assignment's hidden suite, its reference and
a manifest with its entry only: nothing of the course's other assignments.
Student code runs as an unprivileged user: the engine drops to it whenever it
runs as root, and makes the reference and hidden suites unreadable to it.
What students see of the hidden checks is the instructor's choice
(``--hidden-checks``), because Gradescope hides a student's total score as long
as any test of the results is not visible to them:
- ``per-task`` (the default): each task's hidden checks are one visible entry,
  ``<task>: hidden checks``, with their points together and how many of them
  pass. Students see their total at once; the hidden checks' names and
  messages are never shown to them (run_autograder's output, which only
  instructors see, lists every check).
- ``each``: every hidden check is an entry of its own, with the visibility
  ``--hidden-visibility`` (default ``after_due_date``): students see its name and
  message then, and no total before that. Giving ``--hidden-visibility`` alone
  means ``each``, as it did before the choice existed.
``AUTOGRADER_ROOT`` replaces ``/autograder`` (for tests), and ``AUTOGRADER_PYTHON``
names an interpreter that already has the requirements (``setup.sh`` then
installs nothing).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.channels.lock import LOCK, constraints_text, declared_requirements, read_lock
from autograder.channels.release.steps import JUNK
from autograder.course import PROJECT_ROOT, Assignment, get_assignment, load_course, manifest_text_for
from autograder.grade import SUITES, GraderBroken, grade_submission, load_reference, suite_paths, verify_reference
from autograder.locate import CannotGrade, lone_file_note, lone_python_file, uploaded_files
from autograder.results import GradeReport, TestResult, render_table, write_results
from autograder.sandbox import Limits

DEFAULT_OUT = PROJECT_ROOT / "build" / "gradescope"
DEFAULT_ROOT = "/autograder"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
HIDDEN_VISIBILITY = "after_due_date"
HIDDEN_CHECKS = ("per-task", "each")
DEFAULT_HIDDEN_CHECKS = "per-task"
# Files named in the note about an upload that has no file to grade.
MAX_LISTED = 10

# Memory. Gradescope runs each submission in a container with 768 MB by default
# (raised under the assignment's Autograder Settings); past it the whole run is
# killed and the student gets no results at all. So the grader and every process
# of the student's must fit in it together:
#   container = headroom (bash, the kernel) + the grader + a reply in flight (read, then decoded) + student
CONTAINER_MB = 768
HEADROOM_MB = 64
# The grader's process at its peak (NumPy, pytest, the reference, the checks): 55 MB measured.
GRADER_MB = 128
REPLY_MB = 64
# One student process: the worker itself (no threads: BLAS runs single-threaded there), no children,
# so the worker's address-space limit is also the limit in all.
STUDENT_PROCESSES = 1
# Below this the worker cannot import NumPy (150 MB of address space measured).
MIN_WORKER_MB = 256
# What grading imports (results.json's extra_data.packages lists it after a run):
# NumPy, pytest, and tomli to read course.toml on Python 3.10. Figures are never
# drawn on Gradescope, so Matplotlib and Pillow stay out of the image. The
# versions are the lock's, for whichever Python the image has (docs/dependencies.md).
# They go into a virtualenv, so the system Python stays as the image has it.
GRADING_PACKAGES = ("numpy", "pytest", "tomli")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
if [ -n "${{AUTOGRADER_PYTHON:-}}" ]; then
    # An interpreter that already has the requirements (local tests): check it, install nothing.
    PYTHON="$AUTOGRADER_PYTHON"
else
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip
    python3 -m venv "$ROOT/venv"
    PYTHON="$ROOT/venv/bin/python"
    "$PYTHON" -m pip install --quiet --upgrade pip
    "$PYTHON" -m pip install --quiet -r "$ROOT/source/requirements.txt"
fi
"$PYTHON" -c "import numpy, pytest"
# Paths given relative to where this was started still hold after the cd below.
case "$ROOT" in /*) ;; *) ROOT="$PWD/$ROOT" ;; esac
case "$PYTHON" in /*) ;; */*) PYTHON="$PWD/$PYTHON" ;; esac
# Once here, not in every submission's run (each starts from this image): the grader's bytecode
# (checked against its source), and the reference graded on its own checks (source/build/verified).
# Where either cannot be done now, each run does it as before.
"$PYTHON" -m compileall -q --invalidation-mode checked-hash "$ROOT/source" >/dev/null || true
cd "$ROOT/source"
"$PYTHON" -m autograder.channels.gradescope {assignment} --root "$ROOT" --container-mb {container_mb} --verify-only \\
    || echo "setup.sh: the reference was not verified now; each run verifies it" >&2
"""
RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this once per submission, as root; the grader drops to an
# unprivileged user for the student's code and writes results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
# Paths given relative to where this was started still hold after the cd below.
case "$ROOT" in /*) ;; *) ROOT="$PWD/$ROOT" ;; esac
case "$PYTHON" in /*) ;; */*) PYTHON="$PWD/$PYTHON" ;; esac
cd "$ROOT/source"
exec "$PYTHON" -m autograder.channels.gradescope {assignment} --root "$ROOT" --hidden-checks {hidden_checks} \\
    {visibility}--container-mb {container_mb}
"""


def build_bundle(
    assignment: Assignment,
    out: Path = DEFAULT_OUT,
    project: Path = PROJECT_ROOT,
    hidden_visibility: str = HIDDEN_VISIBILITY,
    container_mb: int = CONTAINER_MB,
    hidden_checks: str = DEFAULT_HIDDEN_CHECKS,
) -> Path:
    """Write ``out/<id>.zip``: setup.sh and run_autograder at the root, the grader beside them."""
    with tempfile.TemporaryDirectory() as folder:
        staging = Path(folder)
        limits_for_container(assignment.limits, container_mb)  # refuse a container too small, before building
        shown = Shown(hidden_checks, hidden_visibility)
        _stage(assignment, project, staging, shown, container_mb)
        out.mkdir(parents=True, exist_ok=True)
        bundle = out / f"{assignment.id}.zip"
        _zip(staging, bundle)
    return bundle


@dataclasses.dataclass(frozen=True)
class Shown:
    """What students see of the hidden checks: one entry per task, or each check with a visibility."""

    hidden_checks: str = DEFAULT_HIDDEN_CHECKS
    hidden_visibility: str = HIDDEN_VISIBILITY

    def __post_init__(self) -> None:
        if self.hidden_checks not in HIDDEN_CHECKS or self.hidden_visibility not in VISIBILITIES:
            raise ValueError(f"hidden checks {self.hidden_checks!r}, visibility {self.hidden_visibility!r}")


def _stage(assignment: Assignment, project: Path, staging: Path, shown: Shown, container_mb: int) -> None:
    junk = shutil.ignore_patterns(*JUNK)
    # Only this assignment's hidden suite and manifest entry: nothing of the others travels with it.
    others = {
        other.hidden_tests.resolve()
        for other in load_course(project / "course.toml").values()
        if other.id != assignment.id and other.hidden_tests is not None
    }

    def ignore(folder: str, names: list[str]) -> set[str]:
        return set(junk(folder, names)) | {name for name in names if (Path(folder) / name).resolve() in others}

    shutil.copytree(project / "autograder", staging / "autograder", ignore=ignore)
    manifest = (project / "course.toml").read_text(encoding="utf-8")
    (staging / "course.toml").write_text(manifest_text_for(manifest, {assignment.id}), encoding="utf-8")
    # Every file the manifest entry names, so that the bundle's manifest holds together.
    named = (assignment.solution, assignment.public_tests, assignment.figures, assignment.notebook.closing)
    for path in [p for p in named if p is not None] + list(assignment.notebook.files):
        target = staging / path.relative_to(project)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    hidden = staging / assignment.hidden_folder.relative_to(project)
    if not hidden.is_dir():  # hidden suites kept outside the package still travel with the bundle
        shutil.copytree(assignment.hidden_folder, hidden, ignore=junk)
    requirements = declared_requirements(project, GRADING_PACKAGES)
    header = ["# What grading needs, at the versions of constraints.txt.", "-c constraints.txt"]
    (staging / "requirements.txt").write_text("\n".join([*header, *requirements]) + "\n", encoding="utf-8")
    (staging / "constraints.txt").write_text(
        constraints_text(requirements, "The Gradescope image's packages.", read_lock(project / LOCK.name)),
        encoding="utf-8",
    )
    (staging / "setup.sh").write_text(
        SETUP_SH.format(assignment=assignment.id, container_mb=container_mb), encoding="utf-8"
    )
    (staging / "run_autograder").write_text(
        RUN_AUTOGRADER.format(
            assignment=assignment.id,
            hidden_checks=shown.hidden_checks,
            visibility=f"--hidden-visibility {shown.hidden_visibility} " if shown.hidden_checks == "each" else "",
            container_mb=container_mb,
        ),
        encoding="utf-8",
    )


def _zip(folder: Path, bundle: Path) -> None:
    """Zip the files (not the folder) with Unix modes, so the scripts stay executable."""
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def unpack(bundle: Path | str, root: Path | str) -> None:
    """Lay the bundle out as Gradescope does: source/, run_autograder, submission/, results/."""
    bundle, root = Path(bundle), Path(root)
    source = root / "source"
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            target = source / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            os.chmod(target, (info.external_attr >> 16) & 0o777 or 0o644)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir(exist_ok=True)
    (root / "results").mkdir(exist_ok=True)


def limits_for_container(limits: Limits, container_mb: int = CONTAINER_MB) -> Limits:
    """The course's limits, lowered where the grader and the student's code would not fit the container together."""
    worker_mb = container_mb - HEADROOM_MB - GRADER_MB - 2 * min(limits.reply_mb, REPLY_MB)
    if worker_mb < MIN_WORKER_MB:
        raise ValueError(
            f"a {container_mb} MB container leaves {worker_mb} MB for the student's code, "
            f"less than the {MIN_WORKER_MB} MB it needs; choose more memory in Gradescope's Autograder Settings"
        )
    return dataclasses.replace(
        limits,
        memory_mb=min(limits.memory_mb, worker_mb),
        reply_mb=min(limits.reply_mb, REPLY_MB),
        processes=min(limits.processes, STUDENT_PROCESSES),
    )


def grade_in_container(
    assignment: Assignment,
    root: Path,
    hidden_visibility: str = HIDDEN_VISIBILITY,
    container_mb: int = CONTAINER_MB,
    hidden_checks: str = DEFAULT_HIDDEN_CHECKS,
) -> GradeReport:
    """Grade ``root/submission`` and write ``root/results/results.json``, whatever the submission holds."""
    shown = Shown(hidden_checks, hidden_visibility)
    limits = limits_for_container(assignment.limits, container_mb)
    assignment = dataclasses.replace(assignment, limits=limits)
    results = root / "results" / "results.json"
    upload = root / "submission"
    # Browsers and students rename files ("solution (1).py"); one Python file is the one they meant.
    lone = lone_python_file(upload, assignment.filename)
    try:
        report = grade_submission(assignment, lone or upload, visibility={"hidden": shown.hidden_visibility})
    except CannotGrade as reason:
        # Gradescope shows "output" to the student: say what to upload.
        report = GradeReport(
            assignment=assignment.id, tests=[], output=f"0 points: {reason}. Upload your {assignment.filename}."
        )
    report.output = "\n\n".join(part for part in (_upload_note(assignment, upload, lone), report.output) if part)
    report.metadata["memory_mb"] = {
        "container": container_mb,
        "student_process": limits.memory_mb,
        "student_processes": limits.processes,
        "reply": limits.reply_mb,
    }
    written = report
    if shown.hidden_checks == "per-task":
        written = dataclasses.replace(report, tests=tests_per_task(report.tests, assignment.task_names))
    write_results(written, results)
    return report  # every check, for run_autograder's output, which only instructors see


def tests_per_task(tests: list[TestResult], tasks: list[str]) -> list[TestResult]:
    """The visible checks, then each task's other checks as one visible entry: their points, how many pass.

    Every entry being visible, Gradescope shows the student's total; nothing of a
    hidden check but its points and whether it passed reaches the student.
    """
    visible = [test for test in tests if test.visibility == "visible"]
    unseen = [test for test in tests if test.visibility != "visible"]
    order = {task: i for i, task in enumerate(tasks)}
    for task in sorted({test.task for test in unseen}, key=lambda task: (order.get(task, len(order)), task)):
        mine = [test for test in unseen if test.task == task]
        passed = sum(test.passed for test in mine)
        score, top = sum(test.score for test in mine), sum(test.max_score for test in mine)
        told = f"All {len(mine)}" if passed == len(mine) else f"{passed} of {len(mine)}"
        visible.append(
            TestResult(
                name=f"{task}: hidden checks",
                score=score,
                max_score=top,
                output=(
                    f"{told} hidden checks of {task} pass ({score:g} of {top:g} points). They test the same "
                    "function on more cases; which checks they are, and what they found, is not shown."
                ),
                visibility="visible",
                task=task,
            )
        )
    return visible


def _upload_note(assignment: Assignment, upload: Path, lone: Path | None) -> str:
    """What the student should know about the files of the upload, or nothing when it is as asked."""
    if lone is not None:
        return lone_file_note(assignment.filename, lone.relative_to(upload).as_posix())
    files = uploaded_files(upload) if upload.is_dir() else []
    if any(path.name == assignment.filename for path in files):
        return ""
    if not files:
        if upload.is_dir() and next(upload.iterdir(), None) is not None:
            return ""  # no file, but not empty (a folder or a pipe of that name): the grade says why
        return f"Your upload is empty: upload your {assignment.filename}."
    shown = ", ".join(path.as_posix() for path in files[:MAX_LISTED])
    more = f" and {len(files) - MAX_LISTED} more" if len(files) > MAX_LISTED else ""
    python = sum(path.suffix.lower() == ".py" for path in files)
    why = f"{python} Python files, so which one to grade is unclear" if python > 1 else "no Python file"
    return (
        f"Your upload holds {len(files)} file(s) ({shown}{more}): {why}. "
        f"Upload your {assignment.filename} (or only that one Python file)."
    )


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    build = commands.add_parser("gradescope", help="build an assignment's Gradescope autograder zip")
    build.add_argument("assignment", help="assignment id (course.toml)")
    build.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to write <id>.zip (default: {DEFAULT_OUT.relative_to(PROJECT_ROOT)})",
    )
    _add_shown_arguments(build)
    _add_container_argument(build)
    build.set_defaults(run=run_build, parser=build)

    run = commands.add_parser("gradescope-run", help="grade inside Gradescope's container (run_autograder calls it)")
    _add_run_arguments(run)
    run.set_defaults(run=run_in_container, parser=run)


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="assignment id (course.toml)")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(os.environ.get("AUTOGRADER_ROOT", DEFAULT_ROOT)),
        help="Gradescope's folder (default: $AUTOGRADER_ROOT or /autograder)",
    )
    _add_shown_arguments(parser)
    _add_container_argument(parser)


def _add_shown_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--hidden-checks",
        choices=HIDDEN_CHECKS,
        default=None,
        help="per-task (default): each task's hidden checks are one entry with their points, so students see "
        "their total at once and never a hidden check's name or message; each: every hidden check is an entry "
        "shown at --hidden-visibility, and Gradescope hides the total until then",
    )
    parser.add_argument(
        "--hidden-visibility",
        choices=VISIBILITIES,
        default=None,
        help=f"with --hidden-checks each: when students see each hidden check (default: {HIDDEN_VISIBILITY}); "
        "given alone, it means --hidden-checks each",
    )


def shown_from(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Shown:
    """The choice the command line makes; ``--hidden-visibility`` alone keeps its earlier meaning (``each``)."""
    if args.hidden_checks == "per-task" and args.hidden_visibility is not None:
        parser.error("--hidden-visibility applies to --hidden-checks each: per-task entries are always visible")
    implied = "each" if args.hidden_visibility is not None else DEFAULT_HIDDEN_CHECKS
    return Shown(args.hidden_checks or implied, args.hidden_visibility or HIDDEN_VISIBILITY)


def _add_container_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--container-mb",
        type=int,
        default=CONTAINER_MB,
        help=f"the memory of Gradescope's container, as set in Autograder Settings (default: {CONTAINER_MB})",
    )


def run_build(args: argparse.Namespace) -> int:
    assignment = get_assignment(args.assignment)
    shown = shown_from(args, args.parser)
    bundle = build_bundle(
        assignment,
        args.out,
        hidden_visibility=shown.hidden_visibility,
        container_mb=args.container_mb,
        hidden_checks=shown.hidden_checks,
    )
    print(f"gradescope: {bundle} (upload it as the assignment's autograder)")
    return 0


def run_in_container(args: argparse.Namespace) -> int:
    assignment = get_assignment(args.assignment)
    if getattr(args, "verify_only", False):
        return verify_in_image(assignment, args.container_mb)
    shown = shown_from(args, args.parser)
    try:
        report = grade_in_container(
            assignment, args.root, shown.hidden_visibility, args.container_mb, hidden_checks=shown.hidden_checks
        )
    except GraderBroken as error:
        # No results.json: Gradescope then marks the run as failed for the instructor to see.
        print(f"the grader itself failed: {error}", file=sys.stderr)
        return 1
    # run_autograder's stdout goes to the instructor's view only (stdout_visibility: hidden): every check.
    print(render_table(report, assignment.task_names))
    return 0


def verify_in_image(assignment: Assignment, container_mb: int) -> int:
    """Grade the reference on its checks under the container's limits, as the first run would, and
    remember it (setup.sh, once per image): no submission's run then grades the reference too."""
    assignment = dataclasses.replace(assignment, limits=limits_for_container(assignment.limits, container_mb))
    reference = load_reference(assignment)
    if reference is not None:
        try:
            verify_reference(assignment, reference, suite_paths(assignment, SUITES))
        except GraderBroken as error:
            print(f"the reference did not pass its own checks: {error}", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """What run_autograder calls: the container's grading alone, without the commands that draw
    figures or grade folders, whose packages the image does not have."""
    parser = argparse.ArgumentParser(prog="python -m autograder.channels.gradescope", description=main.__doc__)
    _add_run_arguments(parser)
    parser.add_argument(
        "--verify-only",
        action="store_true",
        help="grade the reference on its own checks and remember it, grading no submission (setup.sh)",
    )
    parser.set_defaults(parser=parser)
    return run_in_container(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
