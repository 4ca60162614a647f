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
    command = [sys.executable, "-m", "autograder"]
    warm = subprocess.run(
        [*command, "grade-all", ch01.id, str(submissions), "--out", str(out), "--jobs", "1"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert warm.returncode == 0, warm.stderr[-2000:]
    students = sorted(p.name.removesuffix(".py") for p in submissions.iterdir())
    assert len(students) == 10
    scores = set()
    for student in students:
        alone = tmp_path / f"{student}.json"
        path = submissions / (student if (submissions / student).is_dir() else f"{student}.py")
        cold = subprocess.run(
            [*command, "grade", ch01.id, "--submission", str(path), "--results", str(alone), "--quiet"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "AUTOGRADER_WARM": "0"},  # every worker a new interpreter
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert cold.returncode == 0, cold.stderr[-2000:]
        fresh = json.loads(alone.read_text())
        batch = json.loads((out / student / "results.json").read_text())
        ran_code = fresh["extra_data"]["protections"]["in_force"]
        if ran_code:  # a worker ran: the batch's was forked warm, the lone one's started cold
            assert batch["extra_data"]["protections"]["in_force"]["warm_start"] is True
            assert ran_code["warm_start"] is False
        fresh, batch = checks_of(fresh), checks_of(batch)
        assert batch == fresh, _first_difference(student, batch, fresh)
        scores.add(fresh["score"])
    assert len(scores) >= 4  # the class really is mixed: full marks, zero and partial scores


def _first_difference(student, batch, fresh) -> str:
    for warm, cold in zip(batch["tests"], fresh["tests"], strict=False):
        if warm != cold:
            return f"{student}, {cold['name']}:\nwarm: {warm}\ncold: {cold}"
    return f"{student}: {batch['score']} warm, {fresh['score']} cold; {batch['output']!r} / {fresh['output']!r}"
