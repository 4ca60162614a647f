"""Gradescope: build an assignment's autograder zip, and grade inside Gradescope's container.

    python -m autograder gradescope ASSIGNMENT            # build/gradescope/ASSIGNMENT.zip
    python -m autograder gradescope-run ASSIGNMENT        # what run_autograder calls

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
Hidden checks get the visibility ``after_due_date``: students see the public
checks at once and the hidden checks' names and feedback after the due date.
``AUTOGRADER_ROOT`` replaces ``/autograder`` (for tests), and ``AUTOGRADER_PYTHON``
names an interpreter that already has the requirements (``setup.sh`` then
installs nothing).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.channels.release.steps import JUNK
from autograder.course import PROJECT_ROOT, Assignment, get_assignment, load_course, manifest_text_for
from autograder.grade import GraderBroken, grade_submission
from autograder.locate import CannotGrade
from autograder.results import GradeReport, render_table, write_results

DEFAULT_OUT = PROJECT_ROOT / "build" / "gradescope"
DEFAULT_ROOT = "/autograder"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
HIDDEN_VISIBILITY = "after_due_date"
# Gradescope's images are Ubuntu; the requirements go into a virtualenv so the
# system Python stays as the image has it.
REQUIREMENTS = (
    "numpy>=1.24",
    "pytest>=7.4",
    "pillow>=9",
    "matplotlib>=3.6",
    "tqdm>=4.64",
    "tomli>=2; python_version < '3.11'",
)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
if [ -n "${AUTOGRADER_PYTHON:-}" ]; then
    # An interpreter that already has the requirements (local tests): check it, install nothing.
    "$AUTOGRADER_PYTHON" -c "import numpy, pytest"
    exit 0
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet -r "$ROOT/source/requirements.txt"
"$ROOT/venv/bin/python" -c "import numpy, pytest"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this once per submission, as root; the grader drops to an
# unprivileged user for the student's code and writes results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
cd "$ROOT/source"
exec "$PYTHON" -m autograder gradescope-run {assignment} --root "$ROOT" --hidden-visibility {visibility}
"""


def build_bundle(
    assignment: Assignment,
    out: Path = DEFAULT_OUT,
    project: Path = PROJECT_ROOT,
    hidden_visibility: str = HIDDEN_VISIBILITY,
) -> Path:
    """Write ``out/<id>.zip``: setup.sh and run_autograder at the root, the grader beside them."""
    with tempfile.TemporaryDirectory() as folder:
        staging = Path(folder)
        _stage(assignment, project, staging, hidden_visibility)
        out.mkdir(parents=True, exist_ok=True)
        bundle = out / f"{assignment.id}.zip"
        _zip(staging, bundle)
    return bundle


def _stage(assignment: Assignment, project: Path, staging: Path, hidden_visibility: str) -> None:
    junk = shutil.ignore_patterns(*JUNK)
    # Only this assignment's hidden suite and manifest entry: nothing of the others travels with it.
    others = {
        other.hidden_tests.resolve()
        for other in load_course(project / "course.toml").values()
        if other.id != assignment.id and other.hidden_tests is not None
    }

    def ignore(folder, names):
        return set(junk(folder, names)) | {name for name in names if (Path(folder) / name).resolve() in others}

    shutil.copytree(project / "autograder", staging / "autograder", ignore=ignore)
    manifest = (project / "course.toml").read_text(encoding="utf-8")
    (staging / "course.toml").write_text(manifest_text_for(manifest, {assignment.id}), encoding="utf-8")
    for path in (assignment.solution, assignment.public_tests):
        target = staging / path.relative_to(project)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    hidden = staging / assignment.hidden_tests.relative_to(project)
    if not hidden.is_dir():  # hidden suites kept outside the package still travel with the bundle
        shutil.copytree(assignment.hidden_tests, hidden, ignore=junk)
    (staging / "requirements.txt").write_text("\n".join(REQUIREMENTS) + "\n", encoding="utf-8")
    (staging / "setup.sh").write_text(SETUP_SH, encoding="utf-8")
    (staging / "run_autograder").write_text(
        RUN_AUTOGRADER.format(assignment=assignment.id, visibility=hidden_visibility), encoding="utf-8"
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


def unpack(bundle: Path, root: Path) -> None:
    """Lay the bundle out as Gradescope does: source/, run_autograder, submission/, results/."""
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


def grade_in_container(assignment: Assignment, root: Path, hidden_visibility: str = HIDDEN_VISIBILITY) -> GradeReport:
    """Grade ``root/submission`` and write ``root/results/results.json``, whatever the submission holds."""
    results = root / "results" / "results.json"
    try:
        report = grade_submission(assignment, root / "submission", visibility={"hidden": hidden_visibility})
    except CannotGrade as reason:
        # Gradescope shows "output" to the student: say what to upload.
        report = GradeReport(
            assignment=assignment.id, tests=[], output=f"0 points: {reason}. Upload your {assignment.filename}."
        )
    write_results(report, results)
    return report


def add_parser(commands) -> None:
    build = commands.add_parser("gradescope", help="build an assignment's Gradescope autograder zip")
    build.add_argument("assignment", help="assignment id (course.toml)")
    build.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to write <id>.zip (default: {DEFAULT_OUT.relative_to(PROJECT_ROOT)})",
    )
    build.add_argument(
        "--hidden-visibility",
        choices=VISIBILITIES,
        default=HIDDEN_VISIBILITY,
        help=f"when students see hidden checks (default: {HIDDEN_VISIBILITY})",
    )
    build.set_defaults(run=run_build)

    run = commands.add_parser("gradescope-run", help="grade inside Gradescope's container (run_autograder calls it)")
    run.add_argument("assignment", help="assignment id (course.toml)")
    run.add_argument(
        "--root",
        type=Path,
        default=Path(os.environ.get("AUTOGRADER_ROOT", DEFAULT_ROOT)),
        help="Gradescope's folder (default: $AUTOGRADER_ROOT or /autograder)",
    )
    run.add_argument("--hidden-visibility", choices=VISIBILITIES, default=HIDDEN_VISIBILITY)
    run.set_defaults(run=run_in_container)


def run_build(args) -> int:
    assignment = get_assignment(args.assignment)
    bundle = build_bundle(assignment, args.out, hidden_visibility=args.hidden_visibility)
    print(f"gradescope: {bundle} (upload it as the assignment's autograder)")
    return 0


def run_in_container(args) -> int:
    assignment = get_assignment(args.assignment)
    try:
        report = grade_in_container(assignment, args.root, args.hidden_visibility)
    except GraderBroken as error:
        # No results.json: Gradescope then marks the run as failed for the instructor to see.
        print(f"the grader itself failed: {error}", file=sys.stderr)
        return 1
    # run_autograder's stdout goes to the instructor's view only (stdout_visibility: hidden).
    print(render_table(report, assignment.task_names))
    return 0
