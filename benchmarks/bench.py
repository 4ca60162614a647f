"""Grading speed, side by side with nbgrader: ``make bench`` (or ``python benchmarks/bench.py``).

One run, one machine:
  0. the floor: a Python that imports NumPy and pytest and does nothing else;
  1. one submission (the reference) through ``python -m autograder grade``;
  2. the same submission as a notebook through ``nbgrader autograde`` (if installed);
  3. ``python -m autograder grade-all`` over a batch, on 1 worker and on all cores,
     and ``nbgrader autograde`` over part of the same batch;
  4. ``python -m autograder watch``: from a save of the file to the new table drawn.
It prints a table and writes it, with the machine and versions, to
build/bench/bench.json so later runs can be compared.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402 - benchmarks/ is a folder of scripts, not a package
import nbgrader_course  # noqa: E402
import submissions  # noqa: E402

ROOT = HERE.parent
ASSIGNMENT = "ch01_forward"
TARGETS = {
    "single_median_s": 0.40,
    "single_vs_floor": 1.5,
    "single_vs_nbgrader": 8.0,
    "batch_per_second": 20.0,
    "batch_vs_nbgrader": 12.0,
    "watch_median_s": 0.15,
    "peak_mb": 200.0,
}
WATCH_SAVES = 15


def main(argv=None) -> int:
    args = parse(argv)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    report = {
        "schema": 1,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": measure.machine(),
        "versions": versions(),
        "settings": vars_of(args),
        "notes": notes,
    }

    report["floor"] = bench_floor(args)
    report["single"] = {"autograder": bench_single(work, args)}
    if args.skip_nbgrader:
        notes.append("nbgrader rows skipped: --skip-nbgrader")
    elif not nbgrader_course.nbgrader_available():
        notes.append(
            "nbgrader rows skipped: the nbgrader extra is not installed "
            "(pip install -e '.[nbgrader]', or run make bench, which tries to install it)"
        )
    else:
        course, description = build_nbgrader_course(work / "nbgrader", args.nb_batch)
        notes.append(f"nbgrader course: {description}")
        report["single"]["nbgrader"] = bench_nbgrader_single(course, args)
        report["single"]["ratio"] = round(
            report["single"]["nbgrader"]["median_s"] / report["single"]["autograder"]["median_s"], 2
        )

    report["batch"] = bench_batch(work, args, notes)
    if "nbgrader" in report["single"]:
        report["batch"]["nbgrader"] = bench_nbgrader_batch(work / "nbgrader", args)
        for row in report["batch"].get("grade_all", []):
            row["ratio_vs_nbgrader"] = round(
                report["batch"]["nbgrader"]["per_submission_s"] / row["per_submission_s"], 2
            )
    report["watch"] = bench_watch(work, args)
    report["targets"] = check_targets(report)
    if hasattr(os, "getloadavg"):
        report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(render(report))
    print(f"\nwritten: {args.out}")
    return 0


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of one submission (default 7)")
    parser.add_argument("--batch", type=int, default=50, help="submissions in the grade-all batch (default 50)")
    parser.add_argument("--nb-batch", type=int, default=10, help="of those, graded by nbgrader (default 10)")
    parser.add_argument("--memory-runs", type=int, default=3, help="runs for peak memory (default 3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 2 timed runs, 1 memory run, a batch of at most 6, nbgrader on 2",
    )
    parser.add_argument("--skip-nbgrader", action="store_true", help="leave out the nbgrader rows")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench", help="scratch folder")
    parser.add_argument("--out", type=Path, default=None, help="the JSON file (default WORKDIR/bench.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.memory_runs = 2, 1
        args.batch, args.nb_batch = min(args.batch, 6), min(args.nb_batch, 2)
    args.nb_batch = min(args.nb_batch, args.batch)
    args.out = args.out or args.workdir / "bench.json"
    return args


def vars_of(args) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}


# -- 1. one submission ------------------------------------------------------------------
def grade_command(submission: Path, results: Path) -> list[str]:
    return [
        "-m",
        "autograder",
        "grade",
        ASSIGNMENT,
        "--submission",
        str(submission),
        "--results",
        str(results),
        "--quiet",
    ]


def bench_single(work: Path, args) -> dict:
    results = work / "single-results.json"

    def full_marks(_run):
        data = json.loads(results.read_text())
        if data["score"] != data["max_score"] or not data["max_score"]:
            failed = "\n".join(
                f"  {t['name']}: {t['output'][:300]}" for t in data["tests"] if t["score"] < t["max_score"]
            )
            raise measure.CommandFailed(f"the reference scored {data['score']} / {data['max_score']}:\n{failed}")
        in_process.append(data["extra_data"]["seconds"])

    in_process: list[float] = []
    command = grade_command(submissions.REFERENCE, results)
    row, _ = measure.repeat([sys.executable, *command], ROOT, args.runs, check=full_marks)
    in_process = in_process[1:]  # the warm-up run's
    row["command"] = "python " + " ".join(command)
    row["in_process_median_s"] = round(sorted(in_process)[len(in_process) // 2], 4)
    row["memory"] = measure.peak_memory(command, ROOT, args.memory_runs)
    row["memory"]["what"] = "process = grader (python -m autograder), children = the worker running student code"
    return row


def bench_floor(args) -> dict:
    """What any grader written in Python pays before it grades anything."""
    command = [sys.executable, "-c", "import numpy, pytest"]
    row, _ = measure.repeat(command, ROOT, args.runs)
    row["command"] = "python -c 'import numpy, pytest'"
    return row


# -- 4. watch ------------------------------------------------------------------------
def bench_watch(work: Path, args) -> dict:
    """Save the watched file again and again; time each save until the new table is drawn."""
    import shutil  # noqa: PLC0415
    import time  # noqa: PLC0415

    folder = work / "watch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    watched = folder / "forward.py"
    sources = [submissions.REFERENCE.read_bytes(), submissions.variants()["variances"].encode()]
    watched.write_bytes(sources[0])
    command = [sys.executable, "-u", "-m", "autograder", "watch", ASSIGNMENT, "--submission", str(watched)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    marker = b"Watching for the next save"
    latencies: list[float] = []
    try:
        _read_until(process, marker)
        saves = 3 if args.quick else WATCH_SAVES
        for n in range(saves):
            time.sleep(0.3)  # a student types between saves; let the watcher settle
            saved = time.perf_counter()
            watched.write_bytes(sources[(n + 1) % 2])
            _read_until(process, marker)
            latencies.append(time.perf_counter() - saved)
    finally:
        process.terminate()
        process.wait(timeout=30)
    row = measure.summary(latencies)
    row["command"] = "python " + " ".join(command[2:])
    row["what"] = "from writing the file to the last line of the new table, alternating right and wrong code"
    return row


def _read_until(process, marker: bytes, seconds: float = 120) -> None:
    import select  # noqa: PLC0415
    import time  # noqa: PLC0415

    deadline, seen = time.monotonic() + seconds, b""
    while marker not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([process.stdout], [], [], left)[0]:
            raise measure.CommandFailed(f"watch drew nothing within {seconds:g} s")
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            raise measure.CommandFailed("watch ended before drawing its table")
        seen = seen[-len(marker) :] + chunk


# -- 2. nbgrader ----------------------------------------------------------------------
def build_nbgrader_course(root: Path, count: int) -> tuple[Path, str]:
    sources = submissions.variants()
    return nbgrader_course.build_course(root, {s: (k, sources[k]) for s, k in submissions.batch(count)})


def bench_nbgrader_single(course: Path, args) -> dict:
    student, kind = submissions.batch(1)[0]
    assert kind == "reference"

    def full_marks(_run):
        score, top = nbgrader_course.scores(course).get(student, (None, None))
        if not top or score != top:
            raise measure.CommandFailed(f"nbgrader gave the reference {score} / {top}")

    command = nbgrader_course.autograde_command(student)
    env = nbgrader_course.environment()
    row, _ = measure.repeat(command, course, args.runs, check=full_marks, env=env)
    row["command"] = "nbgrader " + " ".join(command[3:])
    row["memory"] = measure.peak_memory(command[1:], course, args.memory_runs, env=env)
    row["memory"]["what"] = "process = nbgrader autograde, children = the Jupyter kernel"
    return row


def bench_nbgrader_batch(course: Path, args) -> dict:
    command = nbgrader_course.autograde_command()
    done = measure.run(command, course, env=nbgrader_course.environment())
    graded = nbgrader_course.scores(course)
    if len(graded) != args.nb_batch:
        raise measure.CommandFailed(f"nbgrader graded {len(graded)} of {args.nb_batch} notebooks")
    short = [s for s, kind in submissions.batch(args.nb_batch) if kind == "reference" and graded[s][0] != graded[s][1]]
    if short:
        raise measure.CommandFailed(f"nbgrader gave copies of the reference less than full marks: {short}")
    return {
        "submissions": args.nb_batch,
        "wall_s": round(done.seconds, 3),
        "cpu_s": round(done.cpu_seconds, 3),
        "per_second": round(args.nb_batch / done.seconds, 3),
        "per_submission_s": round(done.seconds / args.nb_batch, 4),
        "command": "nbgrader " + " ".join(command[3:]),
    }


# -- 3. batches -------------------------------------------------------------------------
def grade_all_options() -> str | None:
    """The help text of ``grade-all``, or None when this checkout has no such command."""
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade-all", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


def bench_batch(work: Path, args, notes: list[str]) -> dict:
    folder = work / "batch"
    pairs = submissions.batch(args.batch)
    import shutil  # noqa: PLC0415

    shutil.rmtree(folder, ignore_errors=True)
    submissions.write_folders(folder / "submissions", pairs)
    row = {"submissions": len(pairs), "kinds": sorted({k for _, k in pairs})}
    usage = grade_all_options()
    if usage is None:
        notes.append("grade-all rows skipped: this checkout has no `python -m autograder grade-all` yet")
        return row
    if "--jobs" not in usage:
        notes.append("grade-all has no --jobs option: measured once with its default worker count")
        counts = [None]
    else:
        counts = sorted({1, os.cpu_count() or 1})
    rows = []
    for jobs in counts:
        out = folder / f"results-{jobs or 'default'}"
        command = ["-m", "autograder", "grade-all", ASSIGNMENT, str(folder / "submissions"), "--out", str(out)] + (
            ["--jobs", str(jobs)] if jobs else []
        )
        done = measure.run([sys.executable, *command], ROOT)
        check_gradebook(out / "grades.csv", pairs)
        rows.append(
            {
                "jobs": jobs,
                "wall_s": round(done.seconds, 3),
                "cpu_s": round(done.cpu_seconds, 3),
                "per_second": round(len(pairs) / done.seconds, 3),
                "per_submission_s": round(done.seconds / len(pairs), 4),
                "command": "python " + " ".join(command),
            }
        )
    row["grade_all"] = rows
    return row


def check_gradebook(path: Path, pairs) -> None:
    """Every student was graded, and every copy of the reference got full marks."""
    import csv  # noqa: PLC0415

    with open(path, newline="", encoding="utf-8") as rows:
        scores = {row["student"]: (float(row["score"]), float(row["max_score"])) for row in csv.DictReader(rows)}
    if len(scores) != len(pairs):
        raise measure.CommandFailed(f"grade-all graded {len(scores)} of {len(pairs)} submissions")
    short = [s for s, kind in pairs if kind == "reference" and scores[s][0] != scores[s][1]]
    if short:
        results = json.loads((path.parent / short[0] / "results.json").read_text())
        why = next((t["output"][:300] for t in results["tests"] if t["score"] < t["max_score"]), results["output"])
        raise measure.CommandFailed(
            f"grade-all gave copies of the reference less than full marks: {short}; {short[0]} failed with: {why}"
        )


# -- the table ----------------------------------------------------------------------------
def check_targets(report) -> dict:
    single = report["single"]
    auto = single["autograder"]
    memory = max(auto["memory"]["process_mb"], auto["memory"]["children_mb"])
    checks = {
        "single_median_s": auto["median_s"] < TARGETS["single_median_s"],
        "single_vs_floor": auto["median_s"] <= TARGETS["single_vs_floor"] * report["floor"]["median_s"],
        "peak_mb": memory < TARGETS["peak_mb"],
        "watch_median_s": report["watch"]["median_s"] < TARGETS["watch_median_s"],
    }
    rates = [r["per_second"] for r in report["batch"].get("grade_all", [])]
    if rates:
        checks["batch_per_second"] = max(rates) >= TARGETS["batch_per_second"]
    if "ratio" in single:
        checks["single_vs_nbgrader"] = single["ratio"] >= TARGETS["single_vs_nbgrader"]
    best = [r.get("ratio_vs_nbgrader") for r in report["batch"].get("grade_all", [])]
    if any(best):
        checks["batch_vs_nbgrader"] = max(b for b in best if b) >= TARGETS["batch_vs_nbgrader"]
    return {"met": checks, "targets": TARGETS}


def render(report) -> str:
    machine = report["machine"]
    load = machine.get("load_average_at_start")
    lines = [
        f"grading speed, {report['date']}, {machine.get('cpu_model')} x {machine['cpus']} cpus, "
        f"Python {machine['python']}" + (f", load average at start {load[0]:.2f}" if load else ""),
        "",
    ]
    floor = report["floor"]
    lines.append(
        f"floor: python -c 'import numpy, pytest'   wall s: median {floor['median_s']:.3f}  "
        f"min {floor['min_s']:.3f}  max {floor['max_s']:.3f}"
    )
    lines.append("")
    lines.append(
        "one submission (the reference)   wall s: median    min    max    IQR   cpu s   "
        "peak MB: process / child   nbgrader/us"
    )
    single = report["single"]
    for name, label in (("autograder", "python -m autograder grade"), ("nbgrader", "nbgrader autograde")):
        row = single.get(name)
        if row is None:
            continue
        memory = row["memory"]
        ratio = f"{single['ratio']:.1f}x" if name == "autograder" and "ratio" in single else ""
        lines.append(
            f"  {label:<30} {row['median_s']:12.3f} {row['min_s']:6.3f} {row['max_s']:6.3f} "
            f"{row['iqr_s']:6.3f} {row['cpu_median_s']:7.3f}   {memory['process_mb']:13.1f} / "
            f"{memory['children_mb']:<6.1f}   {ratio}"
        )
    if "autograder" in single:
        lines.append(
            f"  (of the grader's median wall time, {single['autograder']['in_process_median_s']:.3f} s "
            f"is grade_submission itself; the rest is start-up)"
        )
    batch = report["batch"]
    lines += [
        "",
        f"batch of {batch['submissions']} submissions ({', '.join(batch['kinds'])})",
        "                                      subs   wall s    cpu s   subs/s   s/sub   throughput vs nbgrader",
    ]
    for row in batch.get("grade_all", []):
        label = f"grade-all --jobs {row['jobs'] or '(default)'}"
        ratio = f"{row['ratio_vs_nbgrader']:.1f}x" if "ratio_vs_nbgrader" in row else ""
        lines.append(
            f"  {label:<35} {batch['submissions']:4d} {row['wall_s']:8.2f} {row['cpu_s']:8.2f} "
            f"{row['per_second']:8.2f} {row['per_submission_s']:7.3f}   {ratio}"
        )
    if "nbgrader" in batch:
        row = batch["nbgrader"]
        lines.append(
            f"  {'nbgrader autograde (all students)':<35} {row['submissions']:4d} {row['wall_s']:8.2f} "
            f"{row['cpu_s']:8.2f} {row['per_second']:8.2f} {row['per_submission_s']:7.3f}"
        )
    watch = report["watch"]
    lines += [
        "",
        f"watch: save to table drawn, {watch['runs']} saves   median {watch['median_s']:.3f} s  "
        f"min {watch['min_s']:.3f}  max {watch['max_s']:.3f}",
    ]
    if "autograder" in single:
        lines.append(f"  one grading is {single['autograder']['median_s'] / floor['median_s']:.2f}x the floor")
    targets = report["targets"]["met"]
    lines += ["", "targets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in targets.items())]
    lines += [f"note: {note}" for note in report["notes"]]
    return "\n".join(lines)


def versions() -> dict:
    found = {}
    for name in ("numpy", "pytest", "nbgrader", "nbclient", "ipykernel"):
        try:
            from importlib.metadata import version  # noqa: PLC0415

            found[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            found[name] = None
    import autograder  # noqa: PLC0415

    found["autograder"] = autograder.__version__
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    found["commit"] = done.stdout.strip() or None
    return found


if __name__ == "__main__":
    sys.exit(main())
