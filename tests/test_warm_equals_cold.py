"""A warm grading process (one collection, many submissions, workers forked from a
warm template) grades exactly as a fresh one with cold workers does."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from wrong_variants import EDITS, write_wrong

from autograder.course import PROJECT_ROOT

ZOO = PROJECT_ROOT / "tests" / "submissions" / "ch01_forward"
HOSTILE = PROJECT_ROOT / "tests" / "hostile"


def mixed_class(folder, ch01):
    """Right, wrong, broken and hostile submissions, in an order where each follows a different kind."""
    shutil.copyfile(ch01.solution, folder / "a_reference.py")
    shutil.copyfile(ch01.folder / ch01.filename, folder / "b_stub.py")
    for name in EDITS:
        write_wrong(ch01.solution, name, folder / f"c_{name}" / "forward.py")
    shutil.copyfile(ZOO / "correct" / "debug_prints.py", folder / "d_debug_prints.py")
    shutil.copyfile(ZOO / "broken" / "syntax_error.py", folder / "e_syntax_error.py")
    shutil.copyfile(HOSTILE / "patch_numpy.py", folder / "f_patch_numpy.py")
    shutil.copyfile(HOSTILE / "nan.py", folder / "g_nan.py")
    shutil.copyfile(ch01.solution, folder / "h_reference_again.py")


def checks_of(results: dict) -> dict:
    """What a grade says, without what changes from run to run (timings, paths, hashes)."""
    return {
        "score": results["score"],
        "output": results["output"],
        "tests": [{k: t[k] for k in ("name", "score", "max_score", "output", "visibility")} for t in results["tests"]],
    }


@pytest.mark.slow
def test_one_warm_process_grades_every_check_as_fresh_processes_do(tmp_path, ch01):
    """grade-all on one process, workers forked warm, gives each student the checks a lone cold grading gives."""
    submissions, out = tmp_path / "class", tmp_path / "out"
    submissions.mkdir()
    mixed_class(submissions, ch01)
    students = sorted(p.name.removesuffix(".py") for p in submissions.iterdir())
    assert len(students) == 10
    command = [sys.executable, "-m", "autograder"]
    # The batch and the lone gradings side by side (each claims a sandbox uid of its own): they
    # share nothing but the machine, and wait for their workers at the same time.
    warm = started([*command, "grade-all", ch01.id, str(submissions), "--out", str(out), "--jobs", "1"])
    # A file graded alone once serves each student who handed in the same bytes (h_reference_again):
    # a lone cold grading of it gives the same checks however often it runs; the batch grades each.
    alone = graded_alone_as(submissions, students)
    assert len(set(alone.values())) == len(students) - 1
    lone = lone_gradings(
        {
            student: [
                "grade",
                ch01.id,
                "--submission",
                str(submission_of(submissions, student)),
                "--results",
                str(tmp_path / f"{student}.json"),
                "--quiet",
            ]
            for student in sorted(set(alone.values()))
        },
        tmp_path / "stderr",
    )
    warm_error = finished(warm, 900)[1]
    lone_codes = json.loads(finished(lone, 300)[0].splitlines()[-1])
    lone_errors = {student: (tmp_path / "stderr" / student).read_text() for student in lone_codes}
    assert warm.returncode == 0, warm_error[-2000:]
    scores = set()
    assert lone.returncode == 0
    for student in students:
        assert lone_codes[alone[student]] == 0, lone_errors[alone[student]][-2000:]
        fresh = json.loads((tmp_path / f"{alone[student]}.json").read_text())
        batch = json.loads((out / student / "results.json").read_text())
        ran_code = fresh["extra_data"]["protections"]["in_force"]
        if ran_code:  # a worker ran: the batch's was forked warm, the lone one's started cold
            assert batch["extra_data"]["protections"]["in_force"]["warm_start"] is True
            assert ran_code["warm_start"] is False
        fresh, batch = checks_of(fresh), checks_of(batch)
        assert batch == fresh, _first_difference(student, batch, fresh)
        scores.add(fresh["score"])
    assert len(scores) >= 4  # the class really is mixed: full marks, zero and partial scores


def submission_of(submissions: Path, student: str) -> Path:
    """The student's file, or the student's folder."""
    return submissions / (student if (submissions / student).is_dir() else f"{student}.py")


def graded_alone_as(submissions: Path, students: list[str]) -> dict[str, str]:
    """Each student, and the first student whose file has the same bytes (the student itself if none)."""

    def handed_in(student: str) -> tuple[str, bytes]:
        path = submission_of(submissions, student)
        return ("file", path.read_bytes()) if path.is_file() else ("folder", student.encode())

    first: dict[tuple[str, bytes], str] = {}
    for student in students:
        first.setdefault(handed_in(student), student)
    return {student: first[handed_in(student)] for student in students}


# Fresh grading processes, each grading one student with cold workers (every worker a new interpreter):
# forked, one per student, from a process that has imported the engine and graded nothing, so that
# each starts as `python -m autograder grade` would, without importing NumPy, pytest and the engine
# again. Each one's stderr goes to a file of its own; the exit codes are printed, by student.
LONE_GRADINGS = """
import json, os, sys
os.environ["AUTOGRADER_WARM"] = "0"
from autograder.cli import main
children = {}
for student, arguments in json.loads(sys.argv[1]).items():
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.path.join(sys.argv[2], student), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        code = 70
        try:
            code = main(arguments)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    children[student] = pid
print(json.dumps({student: os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for student, pid in children.items()}))
"""


def lone_gradings(arguments: dict[str, list[str]], stderr: Path) -> subprocess.Popen:
    """`python -m autograder` with each student's ``arguments``, side by side, each in a fresh process of its own."""
    stderr.mkdir()
    return subprocess.Popen(
        [sys.executable, "-c", LONE_GRADINGS, json.dumps(arguments), str(stderr)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def started(command: list[str]) -> subprocess.Popen:
    """``command`` started from the project's folder, its stderr kept (stdout dropped)."""
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen, seconds: float) -> tuple[str, str]:
    """(stdout, stderr) of ``process`` once it has ended (killed after ``seconds``); "" for a stream not kept."""
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return out or "", err or ""


def _first_difference(student, batch, fresh) -> str:
    for warm, cold in zip(batch["tests"], fresh["tests"], strict=False):
        if warm != cold:
            return f"{student}, {cold['name']}:\nwarm: {warm}\ncold: {cold}"
    return f"{student}: {batch['score']} warm, {fresh['score']} cold; {batch['output']!r} / {fresh['output']!r}"
