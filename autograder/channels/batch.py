"""Grade a whole class: ``python -m autograder grade-all ASSIGNMENT SUBMISSIONS --out DIR``.

Each entry of SUBMISSIONS is one student: a folder (anything holding their
module file) or a single file, the student id being its name (a file's without
its suffix). Two entries that would get the same id (a folder ``s01_ada`` and a
file ``s01_ada.py``) stop the batch before anyone is graded, naming both. Every
submission goes through ``grade_submission``, in a pool of grader processes,
one per core. The output folder gets:

    <id>/results.json     each student's results (Gradescope's format)
    grades.csv            the gradebook: id, score, max, one column per task,
                          status, reason, the entry graded and the file in it
    summary.png           the score distribution, full marks per task, and per
                          task the checks failed most often
    .grade-all.json       what this run wrote, so that the next run can clean it

OUT is cleaned, not refused, when grade-all made it: a run replaces everything
the previous run wrote (so no student of an older run stays in the gradebook
folder) and keeps any other file. A non-empty OUT that grade-all did not make
is refused untouched: it may be a folder of the instructor's. OUT may lie
inside SUBMISSIONS; it (and any folder grade-all wrote) is never graded.

A submission that cannot be graded (nothing to grade, or the grader raising on
it) is recorded with 0 points and the reason; the batch always finishes.
"""

from __future__ import annotations

import argparse
import atexit
import json
import multiprocessing
import os
import shlex
import shutil
import stat
import sys
import tempfile
import textwrap
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from autograder.channels.exports import LAYOUTS, read_export
from autograder.channels.exports import plain as plain_layout
from autograder.channels.exports.archive import EXPORT, ArchiveRefused, is_archive, unpack
from autograder.channels.exports.class_report import write_class_report
from autograder.channels.exports.entries import NEVER_STUDENTS, safe_id
from autograder.channels.exports.gradebooks import (
    RosterRefused,
    assignment_columns,
    read_roster,
    write_canvas,
    write_grades_csv,
    write_moodle,
)
from autograder.channels.exports.plain import (  # noqa: F401 - grade-all's own names, kept for its callers
    AmbiguousStudents,
    student_id,
)
from autograder.channels.exports.reasons import row_reason
from autograder.channels.exports.rows import POLICIES, Row, Student, group, to_grade
from autograder.channels.exports.rows import counted as counted_attempt
from autograder.channels.exports.stage import stage
from autograder.course import Assignment, get_assignment
from autograder.grade import grade_submission
from autograder.locate import Located, lone_file_note, lone_python_file
from autograder.results import GradeReport, write_results
from autograder.safe_text import plain
from autograder.sandbox import Sandbox, hide_command_line

TASKS_PER_PROCESS = 50
MOST_FAILED = 10
MANIFEST = ".grade-all.json"
# Where a run unpacks archives and stages attempts, inside OUT; removed when the run ends.
WORK_PREFIX = ".grade-all-work-"
OUTPUTS = ("grades.csv", "summary.png", "class_report.html")
# Platforms whose own gradebook file is written when the rows carry their ids (from the export or the roster).
PLATFORM_GRADEBOOKS = ("canvas", "moodle")


@dataclass
class Outcome:
    """One student's grade, or why there is none."""

    student: str
    report: GradeReport
    status: str  # "graded", "rejected" (0 points with a reason) or "error" (grading raised)


class OutFolderRefused(ValueError):
    """OUT holds files grade-all did not write, or lies inside a student's submission."""


def find_submissions(folder: Path, out: Path | None = None) -> dict[str, Path]:
    """Student id -> submission path, for every entry of a plain ``folder`` (``exports.plain``).

    Hidden entries are skipped, and so is grade-all's own output (``out``, or any
    folder holding a grade-all manifest).
    """
    attempts, _ = plain_layout.read(Path(folder), skip=set(outputs_in(folder, out)))
    return {attempt.student: attempt.entry for attempt in attempts}


def not_a_student(name: str) -> bool:
    """Hidden entries and the folders archives and Python leave beside the students' work."""
    return name.startswith(".") or name in NEVER_STUDENTS


def outputs_in(folder: Path, out: Path | None) -> list[Path]:
    """Entries of ``folder`` that are grade-all's output: ``out`` itself, or a folder with a manifest
    and nothing a student hands in (a student's folder with a manifest planted in it is a student's)."""
    found = []
    out = _resolved(out) if out is not None else None
    for entry in Path(folder).iterdir():
        if entry.is_symlink() or not entry.is_dir():
            continue
        if _resolved(entry) == out or ((entry / MANIFEST).is_file() and not _holds_work(entry)):
            found.append(entry)
    return found


def _holds_work(folder: Path) -> bool:
    """Whether ``folder`` holds a Python file or a notebook (grade-all writes neither), two levels deep."""
    patterns = ("*.py", "*.ipynb", "*/*.py", "*/*.ipynb")
    return any(next(folder.glob(pattern), None) is not None for pattern in patterns)


def _resolved(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def grade_one(assignment: Assignment, student: str, path: Path | Located, suites) -> Outcome:
    """Grade one submission in this (pool) process; never raises.

    A folder without the module file but with exactly one Python file (``forward (1).py``,
    ``Forward.py``) has that file graded, with the note the Gradescope channel gives.
    """
    try:
        note = ""
        # A student's entry that is a link is not followed: it could lead to the reference,
        # to another student or anywhere on the disk, and be graded as this student's work.
        if isinstance(path, Path) and path.is_symlink():
            path = Located(None, f"{path.name} is a symbolic link; hand in the folder or file itself")
        elif isinstance(path, Path) and path.is_dir():
            lone = lone_python_file(path, assignment.filename)
            if lone is not None:
                note = lone_file_note(assignment.filename, lone.relative_to(path).as_posix())
                path = lone
        report = grade_submission(assignment, path, suites=suites)
        status = "rejected" if report.output else "graded"
        if note:
            report.output = "\n\n".join(part for part in (note, report.output) if part)
            report.metadata["note"] = note
        return Outcome(student, report, status)
    except Exception as error:  # noqa: BLE001 - one submission's failure is its own, not the batch's
        return failed(assignment, student, f"{type(error).__name__}: {error}")


def failed(assignment: Assignment, student: str, reason: str) -> Outcome:
    report = GradeReport(assignment=assignment.id, tests=[], output=f"0 points: not graded: {reason}")
    return Outcome(student, report, "error")


def grade_all(
    assignment: Assignment,
    submissions: dict[str, Path | Located],
    *,
    jobs: int | None = None,
    suites=("public", "hidden"),
    progress: bool = True,
    grader=grade_one,
) -> list[Outcome]:
    """Grade every submission on ``jobs`` processes (default: every core); outcomes in id order.

    ``grader`` is what each pool task calls (a module-level function, for the pool to find).
    """
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions) or 1))
    outcomes: dict[str, Outcome] = {}
    students = list(submissions)
    # A fresh pool every TASKS_PER_PROCESS submissions per process bounds what repeated
    # pytest runs accumulate. (max_tasks_per_child would do it, but on Python 3.11 it
    # deadlocks once tasks are queued ahead of a worker's replacement.)
    rounds = [students[i : i + jobs * TASKS_PER_PROCESS] for i in range(0, len(students), jobs * TASKS_PER_PROCESS)]
    from tqdm import tqdm  # noqa: PLC0415 - only a batch draws a progress bar; `grade` starts faster

    with tqdm(total=len(students), unit="submission", disable=not progress, file=sys.stderr) as bar:
        for chosen in rounds:
            todo = {s: submissions[s] for s in chosen}
            while todo:
                todo, suspects = _grade_in_pool(grader, assignment, todo, jobs, suites, outcomes, bar)
                # A grader process died (never a student's worker: those are separate processes)
                # and took the pool with it. The ones it may have been grading are graded again
                # alone, so a second death is surely their own; the rest go round again.
                for student in suspects:
                    again, _ = _grade_in_pool(
                        grader, assignment, {student: todo.pop(student)}, 1, suites, outcomes, bar
                    )
                    if again:
                        outcomes[student] = failed(assignment, student, "the grading process died twice on it")
                        bar.update(1)
    return [outcomes[student] for student in sorted(outcomes)]


def _grade_in_pool(grader, assignment, todo: dict[str, Path | Located], jobs, suites, outcomes, bar):
    """Grade ``todo`` into ``outcomes``; if the pool breaks, return what is left and who may have broken it."""
    left = {}
    context = _pool_context()
    with ProcessPoolExecutor(
        min(jobs, len(todo)),
        mp_context=context,
        initializer=_start_grader,
        initargs=(context.Value("i", 0), dict(os.environ)),
    ) as pool:
        futures = {pool.submit(grader, assignment, student, path, suites): student for student, path in todo.items()}
        for future in as_completed(futures):
            student = futures[future]
            try:
                outcomes[student] = future.result()
            except BrokenProcessPool:
                left[student] = todo[student]
                continue
            bar.update(1)
    # Tasks start in the order they were submitted, at most one per process plus one queued:
    # the first ones left over are the only ones that can have been running.
    suspects = [student for student in todo if student in left][: jobs + 1]
    return left, suspects


# What a grader process needs before its first grading, imported once by the fork server.
PRELOADED = ["autograder.channels.batch"]


def _pool_context() -> multiprocessing.context.BaseContext:
    """Where grader processes come from: forks of one clean interpreter, never of this process.

    A fresh interpreter per grader process (spawn) cost ~0.6 s of CPU each, mostly
    imports, again for every pool. The fork server is a fresh interpreter, started
    once per process of ours with the grader imported and no thread of ours; each
    grader process is a fork of it. Where there is none (Windows), spawn.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    global _fork_server_reaped  # noqa: PLW0603 - one exit hook per process, whatever the number of batches
    if not _fork_server_reaped:
        context.set_forkserver_preload(PRELOADED)
        atexit.register(_stop_fork_server)
        _fork_server_reaped = True
    return context


_fork_server_reaped = False


def _stop_fork_server() -> None:
    """Stop the fork server and wait for it on the way out.

    Left alone it outlives us for a moment and is reaped by init, and with it the
    CPU and memory of every grader process it forked: a caller measuring its
    children (``make bench``, ``time``) would not see the grading.
    """
    from multiprocessing import forkserver  # noqa: PLC0415 - only when a pool was ever made

    # The stdlib's own way to stop it and wait (private; absent in some release, the server ends unwaited).
    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()


def _start_grader(taken, environment: dict[str, str]) -> None:
    """Make a new grader process look like one started now from this process, with its own sandbox uid.

    A fork of the fork server has the environment the server started with; the
    batch's (a limit or a setting changed since) is what a grading must see.
    """
    os.environ.clear()
    os.environ.update(environment)
    _own_sandbox_uid(taken)


def _own_sandbox_uid(taken) -> None:
    """Give this grader process a sandbox uid no other process of the pool starts from.

    As root, the engine runs student code as that uid and, when a worker stops,
    kills every process of it: two gradings side by side must never share one.
    """
    with taken.get_lock():
        slot = taken.value
        taken.value += 1
    base = int(os.environ.get("AUTOGRADER_SANDBOX_UID", "64999"))
    os.environ["AUTOGRADER_SANDBOX_UID"] = str(base - slot)


def most_failed(outcomes: list[Outcome], limit: int = MOST_FAILED) -> list[tuple[str, int]]:
    """The checks failed by the most students among those who earned some points.

    Submissions with 0 points fail everything (often: not started) and would drown the rest.
    """
    counts = Counter(t.name for o in outcomes if o.report.score > 0 for t in o.report.tests if not t.passed)
    return counts.most_common(limit)


def failed_by_task(outcomes: list[Outcome], tasks: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Per task, every check some student with points failed, with how many: most failed first, then by name."""
    counts = Counter((t.task, t.name) for o in outcomes if o.report.score > 0 for t in o.report.tests if not t.passed)
    extra = sorted({task for task, _ in counts} - set(tasks))
    return {
        task: sorted(
            ((name, n) for (of, name), n in counts.items() if of == task), key=lambda item: (-item[1], item[0])
        )
        for task in [*tasks, *extra]
    }


def plot_summary(outcomes: list[Outcome], path: Path, tasks: list[str] | None = None) -> None:
    """The class at a glance, as a PNG (headless).

    First row: the score histogram and, per task, how many students got full marks.
    Then a panel per task: its checks failed most often by students with some
    points (those with none fail everything, often not having started), sorted,
    labels wrapped so that none is cut off.
    """
    plt = _load_matplotlib()

    tasks = tasks if tasks is not None else list(dict.fromkeys(t.task for o in outcomes for t in o.report.tests))
    by_task = failed_by_task(outcomes, tasks)
    labels = {task: [_label(name, task) for name, _ in failing[:MOST_FAILED]] for task, failing in by_task.items()}
    # Each task's panel is as tall as its wrapped labels need; one without failures is a line.
    heights = [
        0.75 + 0.17 * sum(label.count("\n") + 1.6 for label in labels[task]) if labels[task] else 0.3
        for task in by_task
    ]
    fig = plt.figure(figsize=(14, 4 + sum(heights)), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[4, sum(heights)])
    first, second = top.subplots(1, 2)
    _plot_scores(first, outcomes)
    _plot_full_marks(second, outcomes, list(by_task))
    with_points = sum(o.report.score > 0 for o in outcomes)
    panels = bottom.subplots(len(heights), 1, gridspec_kw={"height_ratios": heights}, squeeze=False)[:, 0]
    for axes, (task, failing) in zip(panels, by_task.items(), strict=True):
        _plot_task(axes, task, failing, labels[task], outcomes, with_points)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _load_matplotlib():
    """Matplotlib's pyplot, headless. ``run_grade_all`` calls this on a thread while the pool
    grades (this process only waits then): the summary needs it at the end, and importing it
    takes about half a second."""
    import matplotlib  # noqa: PLC0415 - only the summary needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415 - Matplotlib loads only when the summary is drawn

    return plt


def _plot_scores(axes, outcomes: list[Outcome]) -> None:
    top = max((o.report.max_score for o in outcomes), default=0) or 1
    axes.hist([o.report.score for o in outcomes], bins=20, range=(0, top), color="#4878a8", edgecolor="white")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set(title=f"Scores of {len(outcomes)} submissions", xlabel=f"points (of {top:g})", ylabel="students")


def _plot_full_marks(axes, outcomes: list[Outcome], tasks: list[str]) -> None:
    full = []
    for task in tasks:
        graded = [o for o in outcomes if any(t.task == task for t in o.report.tests)]
        full.append(sum(all(t.passed for t in o.report.tests if t.task == task) for o in graded))
    bars = axes.barh(tasks[::-1], full[::-1], color="#5a9e6f")
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set(title="Students with full marks, per task", xlabel=f"students (of {len(outcomes)})")
    axes.set_xlim(0, max(len(outcomes), 1) * 1.08)
    axes.xaxis.get_major_locator().set_params(integer=True)


def _plot_task(axes, task, failing: list[tuple[str, int]], labels: list[str], outcomes, with_points: int) -> None:
    checks = len({t.name for o in outcomes for t in o.report.tests if t.task == task})
    if not failing:
        axes.set_axis_off()
        axes.set_title(f"{task}: no student with points failed any of its {checks} checks", loc="left", fontsize=11)
        return
    counts = [n for _, n in failing[: len(labels)]]
    bars = axes.barh(range(len(counts)), counts[::-1], color="#c8553d")
    axes.set_yticks(range(len(counts)), labels[::-1], fontsize=8)
    axes.bar_label(bars, padding=3, fontsize=8)
    axes.set_xlim(0, max(with_points, 1) * 1.05)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.tick_params(axis="x", labelsize=8)
    more = f" ({len(counts)} most failed shown)" if len(failing) > len(counts) else ""
    axes.set_title(
        f"{task}: {len(failing)} of {checks} checks failed by students with some points{more}", loc="left", fontsize=11
    )
    axes.set_xlabel(f"students failing (of {with_points} with some points)", fontsize=8)


def _label(name: str, task: str, width: int = 80) -> str:
    """A check's name for a bar: without its task, wrapped on at most two lines, no mathtext."""
    name = name.removeprefix(f"{task}: ").replace("$", r"\$")
    return textwrap.fill(name, width, max_lines=2, placeholder=" …")


def prepare_out(out: Path, submissions: Path) -> list[str]:
    """Check OUT before grading; return what the previous run wrote there (to clean), or raise.

    OUT is cleaned only when grade-all made it (it holds the manifest): a folder of
    anyone else's is refused untouched, never emptied.
    """
    resolved, folder = _resolved(out), _resolved(submissions)
    if resolved == folder:
        raise OutFolderRefused(f"--out {out} is the submissions folder itself; give another folder")
    inside = folder / resolved.relative_to(folder).parts[0] if folder in resolved.parents else None
    if inside is not None and inside != resolved and not not_a_student(inside.name):
        raise OutFolderRefused(f"--out {out} lies inside the submission {inside}; give another folder")
    if not out.exists():
        return []
    if not out.is_dir():
        raise OutFolderRefused(f"--out {out} is a file, not a folder")
    for leftover in out.glob(WORK_PREFIX + "*"):  # a run that was stopped before it could remove its own
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        written = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["written"]
    except FileNotFoundError:
        others = sorted(entry.name for entry in out.iterdir())
        if others:
            listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise OutFolderRefused(
                f"--out {out} already holds files that grade-all did not write ({listed}); "
                f"give a new or empty folder (a folder grade-all wrote is cleaned and reused)"
            ) from None
        return []
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise OutFolderRefused(f"{out / MANIFEST} cannot be read ({error}); delete it or give another folder") from None
    return [str(name) for name in written if isinstance(name, str)]


def clean_out(out: Path, written: list[str]) -> None:
    """Remove what an earlier run wrote (and folders it leaves empty); keep everything else."""
    for name in written:
        relative = Path(name)
        if relative.is_absolute() or ".." in relative.parts:
            continue
        path = out / relative
        if path.is_symlink() or path.is_file():
            path.unlink()
        if path.parent != out:
            try:
                path.parent.rmdir()
            except OSError:
                continue  # not empty: it holds files of someone else's


def write_manifest(out: Path, assignment: Assignment, submissions: Path, written: list[str]) -> None:
    manifest = {"assignment": assignment.id, "submissions": str(_resolved(submissions)), "written": written}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def open_to_others(folder: Path) -> bool:
    """Whether users other than the grader can list ``folder`` (every folder above it lets them pass)."""
    folder = _resolved(folder)
    try:
        if any(not parent.stat().st_mode & stat.S_IXOTH for parent in folder.parents):
            return False
        mode = folder.stat().st_mode
    except OSError:
        return False
    return bool(mode & stat.S_IROTH and mode & stat.S_IXOTH)


def warn_if_open_to_others(folder: Path) -> None:
    """Say once, with the command that fixes it, when student code could read classmates' submissions.

    As root student code runs as a sandbox user: "other" to the class folder,
    unless the sandbox's namespaces show it nothing but its own copy. The grader
    reads each submission itself and hands the worker a copy, so closing the
    folder to others costs nothing. (Without root there is no other user to
    keep out: student code runs as the grader's own user.)
    """
    sandbox = Sandbox.for_this_machine()
    # hides_other_submissions: true where the worker runs in PID and mount namespaces.
    if sandbox.uid is None or getattr(sandbox, "hides_other_submissions", False) or not open_to_others(folder):
        return
    print(
        f"warning: every user can read {plain(folder)}, so student code could read classmates' submissions "
        f"while it is graded; close it (grading needs no more) with: chmod o-rwx {plain(shlex.quote(str(folder)))}",
        file=sys.stderr,
    )


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "grade-all",
        help="grade a class: a folder (or zip/tar) of submissions or a learning platform's export, on every core",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("assignment", help="assignment id (course.toml)")
    parser.add_argument(
        "submissions",
        type=Path,
        help="a folder with one sub-folder or file per student, or a platform's export (a folder, zip or tar)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="where to write results, grades.csv, summary.png and class_report.html: a new or empty folder, or one "
        "an earlier grade-all wrote (what that run wrote is replaced; other files are kept); any other non-empty "
        "folder is refused",
    )
    parser.add_argument("--jobs", type=int, default=None, help="grader processes (default: one per core)")
    parser.add_argument("--suites", default="public,hidden", help="which suites to run (default: public,hidden)")
    parser.add_argument(
        "--layout", choices=LAYOUTS, default="auto", help="the export's layout (default: detected from its names)"
    )
    parser.add_argument(
        "--attempts",
        choices=POLICIES,
        default="latest",
        help="latest: grade each student's latest attempt (default); best: grade all, count the highest; "
        "all: grade all, count the latest",
    )
    parser.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="the platform's class list (Canvas gradebook export, Moodle grading worksheet, or a CSV with an id "
        "column): fills names and ids, and lists every student without a submission as 0 points",
    )
    parser.add_argument(
        "--canvas-column",
        default=None,
        help='the Canvas gradebook column to fill, as Canvas names it ("Title (assignment id)"); '
        "default: the assignment id (Canvas then makes a new assignment of it)",
    )
    parser.set_defaults(run=run_grade_all)


def run_grade_all(args) -> int:
    assignment = get_assignment(args.assignment)
    source = args.submissions
    if not source.is_dir() and not (source.is_file() and is_archive(source)):
        raise FileNotFoundError(f"no such folder (or zip/tar of one): {source}")
    # Everything that can refuse the batch does so before anyone is graded.
    previous = prepare_out(args.out, source if source.is_dir() else source.parent)
    roster = read_roster(args.roster) if args.roster is not None else None
    created = not args.out.exists()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=args.out))
    try:
        return _grade_class(args, assignment, source, previous, roster, work, created)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _grade_class(args, assignment: Assignment, source: Path, previous, roster, work: Path, created: bool) -> int:
    try:
        folder = source if source.is_dir() else _unpacked_export(source, work)
        skip = set(outputs_in(folder, args.out))
        export = read_export(folder, args.layout, skip)
        students = group(export.attempts)
        if roster is not None:
            _check_roster(roster, students, args.roster)
    except ValueError:
        if created:  # refused before anyone was graded: no trace of this run is left
            shutil.rmtree(args.out, ignore_errors=True)
        raise
    for skipped in sorted(skip):
        print(f"skipped {plain(skipped)}: it is grade-all's output, not a submission", file=sys.stderr)
    for line in export.skipped:
        print(f"skipped {plain(line)}", file=sys.stderr)
    if source.is_dir():
        warn_if_open_to_others(source)
    hide_command_line(after="grade-all")  # the class folder, and so every classmate, is out of student code's sight
    print(f"{export.layout} export: {len(export.attempts)} attempts of {len(students)} students", file=sys.stderr)
    chosen = to_grade(students, args.attempts)
    tasks, same = {}, {}
    for key, (student, number) in chosen.items():
        attempt = student.attempts[number - 1]
        hand_in = tuple(str(path) for path, _ in attempt.files)
        if hand_in in same:  # one hand-in of several students (a group): graded once
            continue
        same[hand_in] = key
        tasks[key] = stage(attempt, assignment.filename, work / "staged", key)
    suites = tuple(s.strip() for s in args.suites.split(",") if s.strip())
    threading.Thread(target=_load_matplotlib, name="load-matplotlib", daemon=True).start()
    graded = {o.student: o for o in grade_all(assignment, tasks, jobs=args.jobs, suites=suites)}
    for key, (student, number) in chosen.items():
        attempt = student.attempts[number - 1]
        graded.setdefault(key, graded[same[tuple(str(path) for path, _ in attempt.files)]])
    rows = _rows(assignment, students, chosen, graded, args.attempts)
    rows += _missing(assignment, roster, students)
    _fill_names(rows, roster)
    platform = export.layout if export.layout in PLATFORM_GRADEBOOKS else getattr(roster, "platform", "")
    return _write_outputs(args, assignment, rows, chosen, graded, previous, (folder, work), platform, roster)


def _unpacked_export(archive: Path, work: Path) -> Path:
    """The class's export unpacked (within EXPORT's bounds); a single folder at its top is the export itself."""
    try:
        folder = unpack(archive, work / "export", EXPORT)
    except ArchiveRefused as error:
        raise ValueError(f"the export {error}") from None
    inside = [entry for entry in folder.iterdir() if not not_a_student(entry.name)]
    if len(inside) == 1 and inside[0].is_dir() and not (inside[0] / ".git").exists():
        return inside[0]
    return folder


def _check_roster(roster, students, path: Path) -> None:
    keys = {student.key for student in students}
    if students and not keys & set(roster.entries):
        example = ", ".join(sorted(roster.entries)[:3]) or "none"
        raise RosterRefused(
            f"--roster {path} ({roster.platform}) matches none of the {len(students)} students in the export "
            f"(roster ids: {example}, ...; export ids: {', '.join(sorted(keys)[:3])}, ...): is it this class's roster?"
        )
    unlisted = sorted(keys - set(roster.entries))
    if unlisted:
        print(
            f"warning: {len(unlisted)} student(s) in the export are not on the roster (graded all the same): "
            + plain(", ".join(unlisted[:10]))
            + (" ..." if len(unlisted) > 10 else ""),
            file=sys.stderr,
        )


def _rows(assignment, students, chosen, graded, policy: str) -> list[Row]:
    rows = []
    for student in students:
        reports = {number: graded[key].report for key, (s, number) in chosen.items() if s is student}
        number = counted_attempt(student, reports, policy)
        outcome = graded[next(key for key, (s, n) in chosen.items() if s is student and n == number)]
        row = Row(student, outcome.report, outcome.status, number, {n: r.score for n, r in reports.items()})
        row.reason = row_reason(outcome.report, outcome.report.metadata.get("note", ""))
        rows.append(row)
    return rows


def _missing(assignment, roster, students) -> list[Row]:
    """A row of 0 points, "no submission", for each roster student the export holds nothing of."""
    if roster is None:
        return []
    present = {student.key for student in students}
    missing = [entry for key, entry in sorted(roster.entries.items()) if key not in present]
    rows = []
    taken = {student.folder.casefold() for student in students}
    for entry in missing:
        folder = safe_id(entry.key)
        while folder.casefold() in taken:
            folder += "-roster"
        taken.add(folder.casefold())
        report = GradeReport(assignment=assignment.id, tests=[], output="0 points: no submission")
        rows.append(Row(Student(entry.key, entry.name, [], folder), report, "no submission", reason="no submission"))
    return rows


def _canvas_column(args, assignment: Assignment, roster) -> str:
    """The column to fill: the one named, else the Canvas roster's only assignment, else a new one (the id)."""
    if args.canvas_column:
        return args.canvas_column
    columns = assignment_columns(roster) if roster is not None and roster.platform == "canvas" else []
    return columns[0] if len(columns) == 1 else assignment.id


def _fill_names(rows: list[Row], roster) -> None:
    for row in rows:
        known = roster.entries.get(row.student.key) if roster is not None else None
        if known is not None and known.name:
            row.student.name = known.name


def _write_outputs(args, assignment, rows: list[Row], chosen, graded, previous, where, platform, roster) -> int:
    folder, work = where
    rows.sort(key=lambda row: row.student.folder)
    written = []
    results = {}
    for key, (student, number) in chosen.items():
        results[f"{key}/results.json"] = graded[key].report
        if len(student.attempts) > 1 and number == next(r.counted for r in rows if r.student is student):
            results[f"{student.folder}/results.json"] = graded[key].report
    for row in rows:
        if row.status == "no submission":
            results[f"{row.student.folder}/results.json"] = row.report
    outputs = list(OUTPUTS)
    if platform in PLATFORM_GRADEBOOKS:
        outputs.append(f"{platform}_grades.csv")
    written = sorted(results) + outputs
    clean_out(args.out, previous)
    write_manifest(args.out, assignment, args.submissions, written)
    for name, report in results.items():
        try:
            write_results(report, args.out / name)
        except (OSError, ValueError) as error:  # one student's file never stops the gradebook
            print(f"results {plain(name)} not written: {plain(error)}", file=sys.stderr)
    top = max((row.report.max_score for row in rows), default=0)
    write_grades_csv(rows, assignment.task_names, args.out / "grades.csv", top, folder, work / "staged")
    if platform == "canvas":
        write_canvas(rows, roster, _canvas_column(args, assignment, roster), top, args.out / "canvas_grades.csv")
    elif platform == "moodle":
        write_moodle(rows, roster, top, args.out / "moodle_grades.csv")
    handed_in = [Outcome(row.student.folder, row.report, row.status) for row in rows if row.counted]
    plot_summary(handed_in, args.out / "summary.png", assignment.task_names)
    write_class_report(rows, assignment.id, top, args.out / "class_report.html")
    statuses = Counter(row.status for row in rows)
    print(f"graded {len(rows)} students: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    for name, count in most_failed(handed_in, 5):
        print(f"  {count:>4} x {plain(name)}")
    print(f"gradebook: {args.out / 'grades.csv'}\nsummary: {args.out / 'summary.png'}")
    print(f"class report: {args.out / 'class_report.html'}")
    if platform in PLATFORM_GRADEBOOKS:
        print(f"{platform} gradebook: {args.out / f'{platform}_grades.csv'}")
    if statuses["error"]:
        # The grader failed on these (a check's own error, a suite that does not import):
        # the instructor's to fix, said in each row's status and results.json.
        print(f"autograder: {statuses['error']} submission(s) not graded: the grader failed", file=sys.stderr)
        return 1
    return 0
