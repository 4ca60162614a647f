"""A warm grading process (one collection, many submissions, workers forked from a
warm template) grades exactly as a fresh one with cold workers does."""

import json
import os
import shutil
import subprocess
import sys

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
    lone = {}
    for student in students:
        path = submissions / (student if (submissions / student).is_dir() else f"{student}.py")
        lone[student] = started(
            [
                *command,
                "grade",
                ch01.id,
                "--submission",
                str(path),
                "--results",
                str(tmp_path / f"{student}.json"),
                "--quiet",
            ],
            {"AUTOGRADER_WARM": "0"},  # every worker a new interpreter
        )
    warm_error = finished(warm, 900)
    lone_errors = {student: finished(grading, 300) for student, grading in lone.items()}
    assert warm.returncode == 0, warm_error[-2000:]
    scores = set()
    for student in students:
        cold = lone[student]
        assert cold.returncode == 0, lone_errors[student][-2000:]
        fresh = json.loads((tmp_path / f"{student}.json").read_text())
        batch = json.loads((out / student / "results.json").read_text())
        ran_code = fresh["extra_data"]["protections"]["in_force"]
        if ran_code:  # a worker ran: the batch's was forked warm, the lone one's started cold
            assert batch["extra_data"]["protections"]["in_force"]["warm_start"] is True
            assert ran_code["warm_start"] is False
        fresh, batch = checks_of(fresh), checks_of(batch)
        assert batch == fresh, _first_difference(student, batch, fresh)
        scores.add(fresh["score"])
    assert len(scores) >= 4  # the class really is mixed: full marks, zero and partial scores


def started(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """``command`` started from the project's folder, its stderr kept (stdout dropped)."""
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen, seconds: float) -> str:
    """The stderr of ``process`` once it has ended (killed after ``seconds``)."""
    try:
        return process.communicate(timeout=seconds)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[1]


def _first_difference(student, batch, fresh) -> str:
    for warm, cold in zip(batch["tests"], fresh["tests"], strict=False):
        if warm != cold:
            return f"{student}, {cold['name']}:\nwarm: {warm}\ncold: {cold}"
    return f"{student}: {batch['score']} warm, {fresh['score']} cold; {batch['output']!r} / {fresh['output']!r}"
