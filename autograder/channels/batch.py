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
import csv
import json
import multiprocessing
import os
import re
import shlex
import stat
import sys
import textwrap
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Assignment, get_assignment
from autograder.grade import grade_submission
from autograder.locate import ARCHIVE_LEFTOVERS, Located
from autograder.results import GradeReport, write_results
from autograder.safe_text import csv_cell, plain
from autograder.sandbox.account import Sandbox, hide_command_line

TASKS_PER_PROCESS = 50
MOST_FAILED = 10
MANIFEST = ".grade-all.json"
# What grade-all writes next to the students' results folders (compared ignoring case).
OUTPUT_NAMES = {"grades.csv", "summary.png"}
# Folders beside the students' that are never one (archives' and Python's leftovers).
NEVER_STUDENTS = ARCHIVE_LEFTOVERS | {"__pycache__"}


@dataclass
class Outcome:
    """One student's grade, or why there is none."""

    student: str
    report: GradeReport
    status: str  # "graded", "rejected" (0 points with a reason) or "error" (grading raised)


class AmbiguousStudents(ValueError):
    """Two entries of SUBMISSIONS would get one student id; nobody is graded."""


class OutFolderRefused(ValueError):
    """OUT holds files grade-all did not write, or lies inside a student's submission."""


def find_submissions(folder: Path, out: Path | None = None) -> dict[str, Path]:
    """Student id -> submission path, for every entry of ``folder``.

    Hidden entries are skipped, and so is grade-all's own output (``out``, or any
    folder holding a grade-all manifest). Ids equal but for case (a folder
    ``ada`` and a file ``Ada.py``) are ambiguous too: on macOS and Windows they
    would share one results folder.
    """
    by_id: dict[str, list[Path]] = {}
    ours = outputs_in(folder, out)
    for entry in sorted(Path(folder).iterdir()):
        if not_a_student(entry.name) or entry in ours:
            continue
        by_id.setdefault(student_id(entry), []).append(entry)
    clashes: dict[str, list[Path]] = {}
    for student, entries in by_id.items():
        clashes.setdefault(student.casefold(), []).extend(entries)
    clashes = {key: entries for key, entries in clashes.items() if len(entries) > 1}
    if clashes:
        named = "; ".join(
            f"{student_id(entries[0])} is both " + " and ".join(str(e) for e in entries) for entries in clashes.values()
        )
        raise AmbiguousStudents(
            plain(
                f"submissions share a student id: {named}; rename or remove one, then grade again (nobody was graded)"
            )
        )
    return {student: entries[0] for student, entries in by_id.items()}


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


def student_id(entry: Path) -> str:
    """The id from a folder's or file's name, made safe as a folder name and a spreadsheet cell.

    An id that is the name of one of grade-all's own outputs gets ``-student`` added:
    its results folder would otherwise be that file.
    """
    name = entry.name if entry.is_dir() and not entry.is_symlink() else entry.stem
    student = re.sub(r"[^\w.-]", "_", name).lstrip("-").strip(".") or "student"
    return f"{student}-student" if student.casefold() in OUTPUT_NAMES else student


def _resolved(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def grade_one(assignment: Assignment, student: str, path: Path, suites) -> Outcome:
    """Grade one submission in this (pool) process; never raises."""
    try:
        # A student's entry that is a link is not followed: it could lead to the reference,
        # to another student or anywhere on the disk, and be graded as this student's work.
        if path.is_symlink():
            path = Located(None, f"{path.name} is a symbolic link; hand in the folder or file itself")
        report = grade_submission(assignment, path, suites=suites)
        return Outcome(student, report, "rejected" if report.output else "graded")
    except Exception as error:  # noqa: BLE001 - one submission's failure is its own, not the batch's
        return failed(assignment, student, f"{type(error).__name__}: {error}")


def failed(assignment: Assignment, student: str, reason: str) -> Outcome:
    report = GradeReport(assignment=assignment.id, tests=[], output=f"0 points: not graded: {reason}")
    return Outcome(student, report, "error")


def grade_all(
    assignment: Assignment,
    submissions: dict[str, Path],
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


def _grade_in_pool(grader, assignment, todo: dict[str, Path], jobs, suites, outcomes, bar):
    """Grade ``todo`` into ``outcomes``; if the pool breaks, return what is left and who may have broken it."""
    left = {}
    # spawn: a clean interpreter per grader process, never a fork of this one's threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        min(jobs, len(todo)), mp_context=context, initializer=_own_sandbox_uid, initargs=(context.Value("i", 0),)
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


def task_scores(report: GradeReport, tasks: list[str]) -> dict[str, float]:
    return {task: sum(t.score for t in report.tests if t.task == task) for task in tasks}


def write_gradebook(
    outcomes: list[Outcome], assignment: Assignment, path: Path, submissions: dict[str, Path] | None = None
) -> None:
    """grades.csv: one row per student, scores per task, the status with its reason, and what was graded.

    ``submission`` is the student's entry in SUBMISSIONS, ``graded`` the file in it that was
    graded (empty when none was). Text cells are made safe for spreadsheets.
    """
    top = max((o.report.max_score for o in outcomes), default=0)
    tasks = assignment.task_names
    submissions = submissions or {}
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "score", "max_score", *tasks, "status", "reason", "submission", "graded"])
        for o in outcomes:
            scores = task_scores(o.report, tasks)
            reason = o.report.output.splitlines()[0] if o.report.output else ""
            entry = submissions.get(o.student)
            graded = o.report.metadata.get("submission")
            where = entry.parent if entry is not None else None
            writer.writerow(
                [
                    csv_cell(o.student),
                    f"{o.report.score:g}",
                    f"{top:g}",
                    *(f"{scores[t]:g}" for t in tasks),
                    o.status,
                    csv_cell(reason),
                    csv_cell(_relative(entry, where) + ("/" if entry is not None and entry.is_dir() else "")),
                    csv_cell(_relative(graded, where)),
                ]
            )


def _relative(path, folder: Path | None) -> str:
    """``path`` relative to ``folder`` where it lies inside it (also through links); "" for None."""
    if path is None:
        return ""
    if folder is not None:
        for inside, base in ((Path(path), Path(folder)), (_resolved(path), _resolved(folder))):
            if inside.is_relative_to(base):
                return str(inside.relative_to(base))
    return str(path)


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
        help="grade a folder of submissions, one per student, on every core",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("assignment", help="assignment id (course.toml)")
    parser.add_argument("submissions", type=Path, help="a folder with one sub-folder or file per student")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="where to write results, grades.csv and summary.png: a new or empty folder, or one an earlier "
        "grade-all wrote (what that run wrote is replaced; other files are kept); any other non-empty "
        "folder is refused",
    )
    parser.add_argument("--jobs", type=int, default=None, help="grader processes (default: one per core)")
    parser.add_argument("--suites", default="public,hidden", help="which suites to run (default: public,hidden)")
    parser.set_defaults(run=run_grade_all)


def run_grade_all(args) -> int:
    assignment = get_assignment(args.assignment)
    if not args.submissions.is_dir():
        raise FileNotFoundError(f"no such folder: {args.submissions}")
    # Everything that can refuse the batch does so before anyone is graded.
    previous = prepare_out(args.out, args.submissions)
    submissions = find_submissions(args.submissions, args.out)
    for skipped in outputs_in(args.submissions, args.out):
        print(f"skipped {plain(skipped)}: it is grade-all's output, not a submission", file=sys.stderr)
    warn_if_open_to_others(args.submissions)
    hide_command_line(after="grade-all")  # the class folder, and so every classmate, is out of student code's sight
    suites = tuple(s.strip() for s in args.suites.split(",") if s.strip())
    threading.Thread(target=_load_matplotlib, name="load-matplotlib", daemon=True).start()
    outcomes = grade_all(assignment, submissions, jobs=args.jobs, suites=suites)
    args.out.mkdir(parents=True, exist_ok=True)
    written = [f"{o.student}/results.json" for o in outcomes] + ["grades.csv", "summary.png"]
    clean_out(args.out, previous)
    write_manifest(args.out, assignment, args.submissions, written)
    for outcome in outcomes:
        try:
            write_results(outcome.report, args.out / outcome.student / "results.json")
        except (OSError, ValueError) as error:  # one student's file never stops the gradebook
            print(f"results of {outcome.student} not written: {plain(error)}", file=sys.stderr)
    write_gradebook(outcomes, assignment, args.out / "grades.csv", submissions)
    plot_summary(outcomes, args.out / "summary.png", assignment.task_names)
    statuses = Counter(o.status for o in outcomes)
    print(f"graded {len(outcomes)} submissions: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    for name, count in most_failed(outcomes, 5):
        print(f"  {count:>4} x {plain(name)}")
    print(f"gradebook: {args.out / 'grades.csv'}\nsummary: {args.out / 'summary.png'}")
    if statuses["error"]:
        # The grader failed on these (a check's own error, a suite that does not import):
        # the instructor's to fix, said in each row's status and results.json.
        print(f"autograder: {statuses['error']} submission(s) not graded: the grader failed", file=sys.stderr)
        return 1
    return 0
