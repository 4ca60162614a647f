"""The release's Classroom workflow: its grading steps, run here, and GitHub Classroom's reporter fed with them.

The reporter is tests/classroom_reporter.py, a model of
classroom-resources/autograding-grading-reporter written from its source: its log gives a
runner (passed tests / tests) x max_score, while Classroom records the tests' scores added
up. For a full, a partial, a broken and an empty submission, every number it prints and
records must be the project's own points, and every failed check's reason must be in its log.
"""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from classroom_reporter import ANSI, js_number, js_to_fixed, run_reporter, runner_obeys
from wrong_variants import write_wrong

from autograder import results
from autograder.channels import classroom
from autograder.channels.classroom import colliding_runner_ids, runner_id
from autograder.channels.release import build_release
from autograder.course import load_course
from autograder.grade import grade_submission

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow

STATUSES = {"pass", "fail", "error"}
REPORTER = "classroom-resources/autograding-grading-reporter"
SUBMISSIONS = Path(__file__).parent / "submissions"
HOSTILE = Path(__file__).parent / "hostile"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_release(tmp_path_factory.mktemp("classroom") / "repo").out


def run_grading_steps(release, tmp_path) -> dict:
    """Each `run:` step of the grading job as Actions runs it (bash -e; GITHUB_OUTPUT, GITHUB_ENV and
    GITHUB_STEP_SUMMARY files); the install step is left out, since this interpreter has the requirements.
    Returns the reporter step's environment and runners input (expressions filled in from the steps'
    outputs), every step's log and the summary written."""
    job = yaml.safe_load((release / ".github" / "workflows" / "classroom.yml").read_text())["jobs"]
    steps = job["run-autograding-tests"]["steps"]
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_folder / "python").chmod(0o755)
    summary, environment_file = tmp_path / "summary.md", tmp_path / "env"
    environment_file.touch()
    outputs, logs = {}, []
    for step in steps:
        if "run" not in step or "pip install" in step["run"]:
            continue
        output = tmp_path / f"{step['id']}.output"
        output.touch()
        env = {
            "PATH": f"{bin_folder}:/usr/bin:/bin",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_ENV": str(environment_file),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        command = ["bash", "-e", "-c", step["run"]]
        done = subprocess.run(command, cwd=release, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        logs.append(done.stdout + done.stderr)
        outputs[step["id"]] = read_step_outputs(output.read_text())
    reporter = next(step for step in steps if step.get("uses", "").startswith(REPORTER))

    def fill(value):
        return re.sub(
            r"\$\{\{\s*steps\.(\w+)\.outputs\.(\w+)\s*\}\}", lambda m: outputs.get(m[1], {}).get(m[2], ""), value
        )

    environment = read_step_outputs(environment_file.read_text())
    environment.update({name: fill(value) for name, value in reporter.get("env", {}).items()})
    return {
        "env": environment,
        "runners": fill(reporter["with"]["runners"]),
        "logs": "".join(logs),
        "summary": summary.read_text() if summary.exists() else "",
    }


def read_step_outputs(text: str) -> dict:
    """$GITHUB_OUTPUT or $GITHUB_ENV as Actions reads it: `name=value` lines and `name<<DELIMITER` blocks."""
    found, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            found[name] = "\n".join(iter(lambda: next(lines), delimiter))
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def reporter_input_is_well_formed(runners: str, env: dict) -> None:
    """Every runner named has a result of the shape the reporter reads, with at least one test."""
    assert re.fullmatch(r"([a-zA-Z0-9]+,)*[a-zA-Z0-9]+", runners), runners
    for runner in runners.split(","):
        result = json.loads(base64.b64decode(env[f"{runner.upper()}_RESULTS"], validate=True).decode("utf-8"))
        assert result["status"] in STATUSES and isinstance(result["max_score"], (int, float))
        assert isinstance(result["tests"], list) and result["tests"], f"{runner}: no tests"
        for test in result["tests"]:
            assert isinstance(test["name"], str) and test["status"] in STATUSES
            assert isinstance(test["score"], (int, float)) and isinstance(test["line_no"], int)
            assert isinstance(test.get("message", ""), str) and isinstance(test.get("test_code", ""), str)


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


def project_points(release) -> results.GradeReport:
    """The project's own grading of every assignment of the release, public checks: what Classroom must record."""
    tests = []
    for assignment in load_course().values():
        report = grade_submission(assignment, release / "assignments" / assignment.id, suites=("public",))
        tests += report.tests
    return results.GradeReport("course", tests)


def test_no_two_checks_of_the_course_can_get_one_runner_id():
    """runner ids are a task's letters and digits plus the check's number: no two tasks of the course can meet."""
    tasks = [task for a in load_course().values() for task in a.task_names]
    assert all(re.fullmatch(r"[a-zA-Z0-9]+", runner_id(task)) for task in tasks)
    assert colliding_runner_ids(tasks) == []
    assert colliding_runner_ids(["step", "step_1", "add_noise"]) == [("step", "step_1")]
    assert colliding_runner_ids(["Add_Noise", "addnoise"]) == [("Add_Noise", "addnoise")]


SUBMISSION_KINDS = {
    "full": lambda a, tmp: a.solution.read_text(),
    "partial": lambda a, tmp: write_wrong(a.solution, "fencepost", tmp / "wrong" / a.filename).read_text(),
    "broken": lambda a, tmp: (SUBMISSIONS / "ch01_forward" / "broken" / "syntax_error.py").read_text(),
    "empty": lambda a, tmp: None,
    "hostile": lambda a, tmp: (HOSTILE / "workflow_commands.py").read_text(),
}


@pytest.fixture(scope="module")
def hand_in(release, ch01, tmp_path_factory):
    """Put a kind of submission in the release; the grading job's steps run on each kind once per module.

    Returns what ``run_grading_steps`` gives; the release holds that kind's files until the next hand-in.
    """
    handed = {}

    def put(kind: str) -> dict:
        folder = tmp_path_factory.mktemp(kind)
        submit(release, ch01, SUBMISSION_KINDS[kind](ch01, folder))
        if kind == "full":
            for other in load_course().values():
                (release / "assignments" / other.id / other.filename).write_text(other.solution.read_text())
        if kind not in handed:
            handed[kind] = run_grading_steps(release, folder)
        return handed[kind]

    return put


@pytest.mark.parametrize("kind", list(SUBMISSION_KINDS))
def test_every_total_the_reporter_prints_or_records_is_the_projects(kind, release, hand_in):
    """full, partial, broken, empty, hostile: the log's runner, table and grand totals and Classroom's points
    are the project's, and every failed check shows its reason under its cross."""
    handed = hand_in(kind)
    reporter_input_is_well_formed(handed["runners"], handed["env"])
    run = run_reporter(handed["runners"], handed["env"])
    expected = project_points(release)
    score, top = js_number(expected.score), js_number(expected.max_score)
    assert run.recorded == f"Points {score}/{top}"
    assert run.table[-1] == ("Total: ", score, top)
    assert run.tests_passed == (sum(t.passed for t in expected.tests), len(expected.tests))
    printed = {runner: float(points) for runner, (points, _) in run.runner_points.items()}
    assert sum(printed.values()) == expected.score and len(printed) == len(expected.tests)
    for runner, points in run.runner_points.items():
        row = next(row for row in run.table if row[0] == runner)
        assert (js_to_fixed(float(row[1]), 2), row[2]) == points  # the table says what the runner's line said
    for task in {t.task for t in expected.tests}:
        mine = [p for r, p in printed.items() if re.fullmatch(runner_id(task) + r"\d+", r)]
        assert sum(mine) == sum(t.score for t in expected.tests if t.task == task), task
    assert run.failed == (None if kind == "full" else "Some tests failed.")
    log = run.log
    crosses = [i for i, line in enumerate(log) if line.startswith("❌ ")]
    assert len(crosses) == sum(not t.passed for t in expected.tests)
    assert all(log[i + 1].startswith(classroom.LOG_INDENT) and log[i + 1].strip() for i in crosses)
    for test in expected.tests:
        if not test.passed:
            first_line = ANSI.sub("", classroom.workflow_log(test.output)).strip().splitlines()[0]
            assert first_line[:100] in run.output, test.name
    # Nothing but the reporter's own notice is a workflow command, in its log or the grading steps' logs.
    assert runner_obeys(handed["logs"]) == []
    assert runner_obeys(run.output) == [f"::notice title=Autograding complete::{run.recorded}"]
    assert run.recorded_json == {"totalPoints": expected.score, "maxPoints": expected.max_score}


def test_broken_and_empty_submissions_say_why_in_the_log(hand_in):
    """a syntax error and an empty file: the reporter's log names the cause under the first cross."""
    for kind, cause in (("broken", "SyntaxError"), ("empty", "is empty")):
        handed = hand_in(kind)
        log = run_reporter(handed["runners"], handed["env"]).log
        first = next(i for i, line in enumerate(log) if line.startswith("❌ "))
        assert cause in log[first + 1], log[first : first + 3]
        assert cause in handed["summary"]


def test_a_partly_earned_check_prints_and_records_the_same_points(ch01):
    """a check scored 1.5 of 3 (no suite does this today) is two runners: 1.5 earned, 1.5 lost; both sums agree."""
    report = results.GradeReport(
        ch01.id,
        [
            results.TestResult("add_noise: a", 1.5, 3, "half right", task="add_noise"),
            results.TestResult("add_noise: b", 2, 2, "", task="add_noise"),
            results.TestResult("add_noise: c", 0, 1, "wrong", task="add_noise"),
        ],
    )
    runners = classroom.runner_results(report, ch01)
    env = {f"{name.upper()}_RESULTS": classroom.encode(result) for name, result in runners.items()}
    run = run_reporter(",".join(runners), env)
    assert run.recorded == "Points 3.5/6" and run.table[-1] == ("Total: ", "3.5", "6")
    assert sum(float(points) for points, _ in run.runner_points.values()) == 3.5


def test_a_submission_no_check_graded_still_gives_the_reporter_a_runner(ch01):
    """no check at all: one errored runner with the reason, which the reporter prints."""
    report = results.GradeReport(ch01.id, [], output="0 points: nothing to grade ::error::x")
    runners = classroom.runner_results(report, ch01)
    env = {f"{name.upper()}_RESULTS": classroom.encode(result) for name, result in runners.items()}
    run = run_reporter(",".join(runners), env)
    assert run.failed == "Some tests errored." and "0 points: nothing to grade" in run.output
    assert runner_obeys(run.output) == []


def test_job_summary_of_a_hostile_submission_is_inert(hand_in):
    """workflow commands, HTML, links, images and fences in student text: the summary shows them in fences."""
    summary = hand_in("hostile")["summary"]
    outside = re.sub(r"(?ms)^(`{3,})text\n.*?^\1$", "", summary)  # everything but the fenced blocks
    assert "::error" in summary and "<img" in summary  # the student's text is shown ...
    for active in ("<img", "<script", "](http", "@github", "::", "```\n~~~"):
        assert active not in outside, active  # ... and nowhere outside a fence
