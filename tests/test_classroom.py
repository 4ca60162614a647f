"""The release's Classroom workflow: its grading steps, run here, hand the reporter what the reporter's source accepts.

The rules are those of classroom-resources/autograding-grading-reporter (src/main.js,
src/notify-classroom.js, src/helpers/test-helpers.js): runner ids from the ``runners``
input split at commas; each result read from ``<ID upper-cased>_RESULTS`` as base64 of
UTF-8 JSON; ``tests`` non-empty (the table divides by their number); points are the
tests' ``score`` summed over the runners with a ``max_score``.
"""

import base64
import json
import re
import subprocess
import sys

import pytest
import yaml
from wrong_variants import write_wrong

from autograder.channels.classroom import runner_id
from autograder.channels.release import build_release
from autograder.course import load_course
from autograder.grade import grade_submission

# The pattern main.js checks the runners input against when anything goes wrong: an id
# outside it turns every error into "The runners input must be a comma-separated list of strings".
RUNNERS_ON_THE_ERROR_PATH = re.compile(r"^([a-zA-Z0-9]+,)*[a-zA-Z0-9]+$")
STATUSES = {"pass", "fail", "error"}
REPORTER = "classroom-resources/autograding-grading-reporter"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_release(tmp_path_factory.mktemp("classroom") / "repo").out


def run_grading_steps(release, tmp_path) -> dict:
    """Each `run:` step of the grading job as Actions runs it (bash -e, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY);
    the install step is left out, since this interpreter has the requirements. Returns the reporter step's
    env (expressions filled in from the steps' outputs), its runners input and the summary written."""
    job = yaml.safe_load((release / ".github" / "workflows" / "classroom.yml").read_text())["jobs"]
    steps = job["run-autograding-tests"]["steps"]
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_folder / "python").chmod(0o755)
    summary = tmp_path / "summary.md"
    outputs = {}
    for step in steps:
        if "run" not in step or "pip install" in step["run"]:
            continue
        output = tmp_path / f"{step['id']}.output"
        output.touch()
        env = {"PATH": f"{bin_folder}:/usr/bin:/bin", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
        command = ["bash", "-e", "-c", step["run"]]
        done = subprocess.run(command, cwd=release, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        outputs[step["id"]] = read_step_outputs(output.read_text())
    reporter = next(step for step in steps if step.get("uses", "").startswith(REPORTER))

    def fill(value):
        return re.sub(
            r"\$\{\{\s*steps\.(\w+)\.outputs\.(\w+)\s*\}\}", lambda m: outputs.get(m[1], {}).get(m[2], ""), value
        )

    return {
        "env": {name: fill(value) for name, value in reporter["env"].items()},
        "runners": reporter["with"]["runners"],
        "summary": summary.read_text() if summary.exists() else "",
    }


def read_step_outputs(text: str) -> dict:
    """$GITHUB_OUTPUT as Actions reads it: `name=value` lines and `name<<DELIMITER` blocks."""
    found, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            found[name] = "\n".join(iter(lambda: next(lines), delimiter))
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def reporter_reads(runners: str, env: dict) -> tuple[float, float, dict]:
    """What the reporter does with its input, or an assertion where it would fail: (points, max points, results)."""
    assert RUNNERS_ON_THE_ERROR_PATH.match(runners), runners
    results = {}
    for runner in runners.split(","):
        encoded = env.get(f"{runner.strip().upper()}_RESULTS")
        assert encoded, f"{runner}: no {runner.strip().upper()}_RESULTS for the reporter"
        result = json.loads(base64.b64decode(encoded, validate=True).decode("utf-8"))
        assert result["status"] in STATUSES and isinstance(result["max_score"], (int, float))
        assert isinstance(result["tests"], list) and result["tests"], f"{runner}: no tests"
        for test in result["tests"]:
            assert isinstance(test["name"], str) and test["status"] in STATUSES
            assert isinstance(test["score"], (int, float)) and isinstance(test["line_no"], int)
            assert isinstance(test.get("message", ""), str) and isinstance(test.get("test_code", ""), str)
        results[runner] = result
    graded = [r for r in results.values() if r["max_score"]]
    points = sum(test["score"] for r in graded for test in r["tests"])
    return points, sum(r["max_score"] for r in graded), results


def submit(release, ch01, source: str | None) -> None:
    """``source`` as ch01's file of the release (None: an empty file); every other assignment keeps its stub."""
    for other in load_course().values():
        if other.id != ch01.id:
            (release / "assignments" / other.id / other.filename).write_text(
                (other.folder / other.filename).read_text()
            )
    target = release / "assignments" / ch01.id / ch01.filename
    if source is None:
        target.write_text("")
    else:
        target.write_text(source)


@pytest.fixture(scope="module")
def public_maximum():
    """The workflow grades every assignment of the course: the reporter's maximum is their public points together."""
    return sum(grade_submission(a, a.solution, suites=("public",)).max_score for a in load_course().values())


def test_every_runner_id_is_one_the_reporter_accepts_on_every_path():
    """each task of the course becomes a runner id of letters and digits only, unique in any case."""
    ids = [runner_id(task) for a in load_course().values() for task in a.task_names]
    assert all(re.fullmatch(r"[a-zA-Z0-9]+", i) for i in ids)
    assert len({i.lower() for i in ids}) == len(ids)
    assert runner_id("add_noise") == "addnoise"


def test_full_submission_reports_every_public_point(release, ch01, public_maximum, tmp_path):
    """the references: the reporter reads every runner, and the points are the public maximum."""
    submit(release, ch01, ch01.solution.read_text())
    for other in load_course().values():
        (release / "assignments" / other.id / other.filename).write_text(other.solution.read_text())
    handed = run_grading_steps(release, tmp_path)
    points, top, results = reporter_reads(handed["runners"], handed["env"])
    assert points == top == public_maximum
    assert {r["status"] for r in results.values()} == {"pass"}
    assert "Every public check passes" in handed["summary"]


def test_partial_submission_reports_its_points_and_each_failed_message(release, ch01, grade, public_maximum, tmp_path):
    """one mistake: the reporter's points are the grader's, and the summary shows each failed check's message."""
    wrong = write_wrong(ch01.solution, "fencepost", tmp_path / "wrong" / ch01.filename)
    submit(release, ch01, wrong.read_text())
    handed = run_grading_steps(release, tmp_path)
    points, top, results = reporter_reads(handed["runners"], handed["env"])
    expected = grade(wrong, suites=("public",))
    assert (points, top) == (expected.score, public_maximum) and 0 < points < expected.max_score
    assert results[runner_id("cosine_schedule")]["status"] == "fail"
    failed = [t for t in expected.tests if not t.passed]
    assert failed
    for test in failed:
        assert test.name in handed["summary"]
        assert test.output.strip().splitlines()[0] in handed["summary"]


def test_empty_submission_reports_zero_of_the_same_maximum(release, ch01, public_maximum, tmp_path):
    """an empty file: every runner still has a result, 0 points of the public maximum, and the summary says why."""
    submit(release, ch01, None)
    handed = run_grading_steps(release, tmp_path)
    points, top, _ = reporter_reads(handed["runners"], handed["env"])
    assert (points, top) == (0, public_maximum)
    assert "is empty" in handed["summary"]
