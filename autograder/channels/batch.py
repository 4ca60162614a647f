"""Grade a whole class: ``python -m autograder grade-all ASSIGNMENT SUBMISSIONS --out DIR``.

Each entry of SUBMISSIONS is one student: a folder (anything holding their
module file) or a single file, the student id being its name (a file's without
its suffix). Every submission goes through ``grade_submission``, in a pool of
grader processes, one per core. The output folder gets:

    <id>/results.json     each student's results (Gradescope's format)
    grades.csv            the gradebook: id, score, max, one column per task, status
    summary.png           the score distribution and the checks failed most often

A submission that cannot be graded (nothing to grade, or the grader raising on
it) is recorded with 0 points and the reason; the batch always finishes.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import re
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from autograder.course import Assignment, get_assignment
from autograder.grade import grade_submission
from autograder.results import GradeReport, write_results

TASKS_PER_PROCESS = 50
MOST_FAILED = 10


@dataclass
class Outcome:
    """One student's grade, or why there is none."""

    student: str
    report: GradeReport
    status: str  # "graded", "rejected" (0 points with a reason) or "error" (grading raised)


def find_submissions(folder: Path) -> dict[str, Path]:
    """Student id -> submission path, for every entry of ``folder`` (hidden entries skipped)."""
    found: dict[str, Path] = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith((".", "__")):
            continue
        student = student_id(entry)
        unique, n = student, 2
        while unique in found:
            unique, n = f"{student}-{n}", n + 1
        found[unique] = entry
    return found


def student_id(entry: Path) -> str:
    """The id from a folder's or file's name, made safe as a folder name."""
    name = entry.name if entry.is_dir() else entry.stem
    return re.sub(r"[^\w.-]", "_", name).strip(".") or "student"


def grade_one(assignment: Assignment, student: str, path: Path, suites) -> Outcome:
    """Grade one submission in this (pool) process; never raises."""
    try:
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


def write_gradebook(outcomes: list[Outcome], assignment: Assignment, path: Path) -> None:
    """grades.csv: one row per student, scores per task, and the status with its reason."""
    top = max((o.report.max_score for o in outcomes), default=0)
    tasks = assignment.task_names
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "score", "max_score", *tasks, "status", "reason"])
        for o in outcomes:
            scores = task_scores(o.report, tasks)
            reason = o.report.output.splitlines()[0] if o.report.output else ""
            writer.writerow(
                [o.student, f"{o.report.score:g}", f"{top:g}", *(f"{scores[t]:g}" for t in tasks), o.status, reason]
            )


def most_failed(outcomes: list[Outcome], limit: int = MOST_FAILED) -> list[tuple[str, int]]:
    """The checks failed by the most students among those who earned some points.

    Submissions with 0 points fail everything (often: not started) and would drown the rest.
    """
    counts = Counter(t.name for o in outcomes if o.report.score > 0 for t in o.report.tests if not t.passed)
    return counts.most_common(limit)


def plot_summary(outcomes: list[Outcome], path: Path) -> None:
    """Score histogram beside the most often failed checks, as a PNG (headless)."""
    import matplotlib  # noqa: PLC0415 - only the summary needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415 - Matplotlib loads only when the summary is drawn

    top = max((o.report.max_score for o in outcomes), default=0) or 1
    scores = [o.report.score for o in outcomes]
    failing = most_failed(outcomes)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [1, 1.4]})
    left.hist(scores, bins=20, range=(0, top), color="#4878a8", edgecolor="white")
    left.yaxis.get_major_locator().set_params(integer=True)
    left.set(title=f"Scores of {len(outcomes)} submissions", xlabel=f"points (of {top:g})", ylabel="students")
    if failing:
        names = [_short(name) for name, _ in failing][::-1]
        right.barh(names, [count for _, count in failing][::-1], color="#c8553d")
        right.set(title="Checks failed most often (by students with some points)", xlabel="students failing")
        right.xaxis.get_major_locator().set_params(integer=True)
        right.tick_params(axis="y", labelsize=7)
    else:
        right.text(0.5, 0.5, "no failed checks", ha="center", va="center")
        right.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _short(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def add_parser(commands) -> None:
    parser = commands.add_parser("grade-all", help="grade a folder of submissions, one per student, on every core")
    parser.add_argument("assignment", help="assignment id (course.toml)")
    parser.add_argument("submissions", type=Path, help="a folder with one sub-folder or file per student")
    parser.add_argument("--out", type=Path, required=True, help="where to write results, grades.csv and summary.png")
    parser.add_argument("--jobs", type=int, default=None, help="grader processes (default: one per core)")
    parser.add_argument("--suites", default="public,hidden", help="which suites to run (default: public,hidden)")
    parser.set_defaults(run=run_grade_all)


def run_grade_all(args) -> int:
    assignment = get_assignment(args.assignment)
    if not args.submissions.is_dir():
        raise FileNotFoundError(f"no such folder: {args.submissions}")
    submissions = find_submissions(args.submissions)
    suites = tuple(s.strip() for s in args.suites.split(",") if s.strip())
    outcomes = grade_all(assignment, submissions, jobs=args.jobs, suites=suites)
    args.out.mkdir(parents=True, exist_ok=True)
    for outcome in outcomes:
        write_results(outcome.report, args.out / outcome.student / "results.json")
    write_gradebook(outcomes, assignment, args.out / "grades.csv")
    plot_summary(outcomes, args.out / "summary.png")
    statuses = Counter(o.status for o in outcomes)
    print(f"graded {len(outcomes)} submissions: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    for name, count in most_failed(outcomes, 5):
        print(f"  {count:>4} x {name}")
    print(f"gradebook: {args.out / 'grades.csv'}\nsummary: {args.out / 'summary.png'}")
    if statuses["error"]:
        # The grader failed on these (a check's own error, a suite that does not import):
        # the instructor's to fix, said in each row's status and results.json.
        print(f"autograder: {statuses['error']} submission(s) not graded: the grader failed", file=sys.stderr)
        return 1
    return 0
