"""Hostile and broken submissions: nothing earned that was not earned, nothing lost, nothing leaked.

Each file in tests/hostile/ is a submission with one trick, and names its clean
twin: the reference, or a stated wrong variant (wrong.py, zeros.py). A trick
may cost points; it must never earn a check its twin does not earn.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.course import PROJECT_ROOT
from autograder.grade import grade_submission
from autograder.results import MAX_RESULTS_BYTES, write_results
from autograder.sandbox.account import SANDBOX_UIDS, Sandbox, processes_of_user, signal_every_process_of

HOSTILE = Path(__file__).parent / "hostile"
BAD = HOSTILE / "bad"
AS_ROOT = os.name == "posix" and os.geteuid() == 0
NEEDS_DROP = pytest.mark.skipif(
    not AS_ROOT,
    reason="needs root: without the privilege drop student code runs "
    "as the grader's user and can read and change the project",
)


@pytest.fixture(scope="module")
def graded(ch01):
    """Grade a file of tests/hostile once per module; later calls reuse the report."""
    cache = {}

    def run(name):
        if name not in cache:
            cache[name] = grade_submission(ch01, HOSTILE / name)
        return cache[name]

    return run


@pytest.fixture(scope="module")
def reference_report(ch01):
    return grade_submission(ch01, ch01.solution)


def passed(report) -> dict[str, bool]:
    return {test.name: test.passed for test in report.tests}


def assert_no_more_than(trick, twin, task_lost=None):
    """Every check the trick passes, its twin passes; with task_lost, that task's checks all fail
    and every other check matches the twin exactly."""
    mine, theirs = passed(trick), passed(twin)
    assert mine.keys() == theirs.keys()
    gained = [name for name in mine if mine[name] and not theirs[name]]
    assert gained == []
    if task_lost is not None:
        tasks = {test.name: test.task for test in trick.tests}
        assert [n for n in mine if tasks[n] == task_lost and mine[n]] == []
        assert {n: v for n, v in mine.items() if tasks[n] != task_lost} == {
            n: v for n, v in theirs.items() if tasks[n] != task_lost
        }


def assert_nothing_left(report):
    """No process of the grading's sandbox user is alive (root only)."""
    if report.sandbox_uid is not None:
        assert processes_of_user(report.sandbox_uid) == []


def processes_named(marker: str) -> list[int]:
    """Live processes whose command line or name holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = b" ".join(Path(f"/proc/{entry}/{part}").read_bytes() for part in ("cmdline", "comm"))
            state = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker.encode() in text and state not in (b"Z", b"X"):
            found.append(int(entry))
    return found


# -- tricks: no points for them -------------------------------------------------------------


@pytest.mark.parametrize(
    "trick", ["patch_numpy.py", "seed_noop.py", "patch_pytest.py", "lying_array.py", "fake_results.py"]
)
def test_trick_on_wrong_stub_earns_exactly_the_wrong_stub(graded, trick):
    """patching numpy or pytest, a lying ndarray subclass, forged results: same checks as wrong.py."""
    assert_no_more_than(graded(trick), graded("wrong.py"))
    assert passed(graded(trick)) == passed(graded("wrong.py"))
    assert graded(trick).score == graded("wrong.py").score < graded("wrong.py").max_score


def test_nan_earns_no_more_than_zeros(graded):
    """returning NaN arrays passes no check that zeros of the same shape fail."""
    assert_no_more_than(graded("nan.py"), graded("zeros.py"))
    assert graded("nan.py").score <= graded("zeros.py").score


@pytest.mark.parametrize(
    ("trick", "task"), [("sys_exit_in_call.py", "cosine_schedule"), ("os_exit_in_call.py", "remove_noise")]
)
def test_exit_during_a_call_fails_only_that_function(graded, trick, task):
    """sys.exit / os._exit inside one function fails that function's checks; the rest match wrong.py."""
    assert_no_more_than(graded(trick), graded("wrong.py"), task_lost=task)
    outputs = {t.output for t in graded(trick).tests if t.task == task}
    word = "sys.exit(0)" if trick.startswith("sys") else "ended"
    assert any(word in output for output in outputs)


@pytest.mark.parametrize(
    ("trick", "reason"),
    [("sys_exit_at_import.py", "sys.exit(0)"), ("os_exit_at_import.py", "importing forward.py ended")],
)
def test_exit_at_import_gets_zero_with_a_reason(graded, trick, reason):
    """exiting while being imported earns 0, with a one-line reason naming what happened."""
    report = graded(trick)
    assert report.score == 0
    assert report.output.startswith("0 points: ") and reason in report.output.splitlines()[0]


def copies_open_to_others(reference: Path, limit_seconds: float = 3.0) -> list[str]:
    """Copies of the reference outside the project that any user may read.

    The grader protects the project; a copy someone left elsewhere (an unpacked
    bundle in /tmp, another checkout) is beyond its reach, as docs/security.md says.
    """
    text = reference.read_bytes()
    project = reference.parents[2]
    found, end = [], time.monotonic() + limit_seconds
    for start in dict.fromkeys([project.parent, Path("/tmp"), Path("/autograder")]):
        for top, folders, files in os.walk(start):
            if time.monotonic() > end:
                return found
            here = Path(top)
            folders[:] = [f for f in folders if here / f != project and _open_to_others(here / f, stat.S_IXOTH)]
            for name in files:
                path = here / name
                if name == reference.name and _open_to_others(path, stat.S_IROTH):
                    try:
                        if path.read_bytes() == text:
                            found.append(str(path))
                    except OSError:
                        continue
    return found


def _open_to_others(path: Path, bit: int) -> bool:
    try:
        return bool(path.stat().st_mode & bit)
    except OSError:
        return False


@NEEDS_DROP
@pytest.mark.parametrize("trick", ["steal_reference.py", "read_suites.py", "vandal.py"])
def test_reaching_for_the_project_earns_exactly_the_wrong_stub(graded, trick, ch01):
    """importing the reference by name, searching the disk for it, reading the suites: same as wrong.py."""
    stray = copies_open_to_others(ch01.solution)
    if stray:
        pytest.skip(
            f"this machine has copies of the reference open to every user outside the project "
            f"({', '.join(stray[:3])}); the grader cannot protect those"
        )
    report = graded(trick)
    assert passed(report) == passed(graded("wrong.py"))
    assert "stolen from" not in json.dumps(report.to_json())


# -- the grader survives, and nothing of the submission outlives it ----------------------------


@pytest.mark.parametrize(
    ("name", "task", "words"),
    [
        ("loop_in_call.py", "noise_step", "time limit"),
        ("memory_bomb.py", "add_noise", "MemoryError"),
    ],
)
def test_runaway_function_fails_only_itself(graded, reference_report, name, task, words):
    """an endless loop or a memory bomb in one function fails that function; the rest match the reference."""
    report = graded(name)
    assert_no_more_than(report, reference_report, task_lost=task)
    assert any(words in t.output for t in report.tests if t.task == task)
    assert_nothing_left(report)


@pytest.mark.slow
def test_endless_import_gets_zero(graded):
    """an import that never ends is stopped at the import limit and earns 0 with that reason."""
    report = graded("loop_at_import.py")
    assert report.score == 0
    assert "importing forward.py took longer than" in report.output
    assert_nothing_left(report)


def test_printed_flood_is_cut(graded, reference_report, tmp_path):
    """20 MB of printing costs nothing, is cut in the feedback, and results.json stays under 1 MB."""
    report = graded("print_flood.py")
    assert passed(report) == passed(reference_report)
    write_results(report, tmp_path / "results.json")
    assert (tmp_path / "results.json").stat().st_size < MAX_RESULTS_BYTES
    outputs = [t.output for t in report.tests if t.task == "cosine_schedule"]
    assert outputs and all("more bytes of output cut" in o and len(o) < 20_000 for o in outputs)


def test_left_children_are_killed(graded, reference_report):
    """children left running (plain, and double-forked out of the session) are all gone after grading."""
    report = graded("orphans.py")
    assert passed(report) == passed(reference_report)
    assert processes_named("hostile-orphan") == []
    assert_nothing_left(report)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finding strays by their environment needs Linux /proc")
def test_left_children_are_killed_without_a_sandbox_user(ch01, reference_report):
    """without the privilege drop, children found by the worker's token in their environment are killed too."""
    report = grade_submission(ch01, HOSTILE / "orphans.py", sandbox=Sandbox())
    assert passed(report) == passed(reference_report)
    assert processes_named("hostile-orphan") == []


@pytest.mark.skipif(os.name != "posix", reason="fork exists on POSIX only")
def test_fork_storm_is_contained(graded, reference_report):
    """a fork storm in noise_step fails noise_step only, and leaves no process behind."""
    report = graded("fork_storm.py")
    assert_no_more_than(report, reference_report, task_lost="noise_step")
    assert_nothing_left(report)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["slow_import_exits.py", "sleep_each_call.py"])
def test_time_wasters_are_bounded_by_the_total_budget(graded, reference_report, name):
    """slow imports with dying calls, or calls just under the limit, end once the total budget is spent."""
    report = graded(name)
    assert report.metadata["seconds"] > 0 and report.max_score == reference_report.max_score
    assert_no_more_than(report, reference_report)
    stopped = ("not run:", "time your code may take", "ended during")
    failed = [t.output for t in report.tests if not t.passed]
    assert failed and [o for o in failed if not any(words in o for words in stopped)] == []
    assert_nothing_left(report)


# -- nothing leaks ---------------------------------------------------------------------------


def test_feedback_holds_no_hidden_source(graded, ch01):
    """results.json of submissions that print or raise carry no line of the hidden suites or the reference."""
    secret_lines = set()
    for path in [ch01.solution, *sorted(ch01.hidden_tests.glob("*.py"))]:
        secret_lines |= {line.strip() for line in path.read_text().splitlines() if len(line.strip()) > 30}
    for name in ("read_suites.py", "wrong.py", "nan.py", "print_flood.py"):
        text = json.dumps(graded(name).to_json())
        assert [line for line in secret_lines if line in text] == []


# -- nothing of the project changes; results are the grader's alone --------------------------


def tree_digest(*folders: Path) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if "__pycache__" not in path.parts and path.is_file():
                digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@NEEDS_DROP
def test_vandal_changes_nothing(ch01):
    """a submission that rewrites the grader, empties the suites and deletes the solutions changes nothing."""
    folders = (PROJECT_ROOT / "autograder", PROJECT_ROOT / "solutions", ch01.hidden_tests)
    before = tree_digest(*folders)
    report = grade_submission(ch01, HOSTILE / "vandal.py")
    assert tree_digest(*folders) == before
    assert not (PROJECT_ROOT / "VANDALISED").exists()
    assert report.score > 0


def run_cli(submission, results) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "ch01_forward",
            "--submission",
            str(submission),
            "--results",
            str(results),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
        check=False,
    )


@pytest.fixture
def open_folder():
    """A folder anyone may write to (like a careless results folder), removed afterwards."""
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    folder = Path(tempfile.mkdtemp(prefix="hostile-results-"))
    os.chmod(folder, 0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_forged_results_are_replaced_by_the_real_ones(graded, open_folder):
    """a forger writing the --results path and leaving a process to keep at it loses: the grader's file stands."""
    results = open_folder / "results.json"
    done = run_cli(HOSTILE / "fake_results.py", results)
    assert done.returncode == 0, done.stderr
    assert not results.is_symlink()
    written = results.read_text()
    time.sleep(0.5)  # a surviving forger would rewrite it by now
    assert results.read_text() == written
    data = json.loads(written)
    assert data["score"] == graded("wrong.py").score
    assert [p.name for p in open_folder.iterdir()] == ["results.json"]
    assert (
        not Path("/autograder/results/results.json").exists()
        or "fake" not in Path("/autograder/results/results.json").read_text()
    )


@NEEDS_DROP
def test_results_replace_a_planted_link_and_folder(graded, tmp_path):
    """write_results replaces a link another user planted (its target untouched) and moves a folder aside."""
    target = tmp_path / "precious.txt"
    target.write_text("untouched")
    (tmp_path / "results.json").symlink_to(target)
    os.lchown(tmp_path / "results.json", 65534, 65534)  # planted: student code runs as another user
    write_results(graded("wrong.py"), tmp_path / "results.json")
    assert target.read_text() == "untouched"
    assert not (tmp_path / "results.json").is_symlink()
    (tmp_path / "other.json").mkdir()
    write_results(graded("wrong.py"), tmp_path / "other.json")
    assert json.loads((tmp_path / "other.json").read_text())["score"] == graded("wrong.py").score


# -- bad input -------------------------------------------------------------------------------


def test_missing_submission_exits_2_with_one_line(tmp_path):
    """a path that does not exist: exit status 2 and one line on stderr, no results file."""
    done = run_cli(BAD / "missing", tmp_path / "results.json")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"autograder: cannot grade: no such file or folder: {BAD / 'missing'}"]
    assert not (tmp_path / "results.json").exists()


@pytest.mark.parametrize(
    ("folder", "words"),
    [
        ("empty", "is empty"),
        ("binary", "binary data"),
        ("latin1", "is not UTF-8"),
        ("utf16", "UTF-16"),
        ("notebook", "is a Jupyter notebook"),
        ("two", "holds 2 files named forward.py"),
        ("none", "holds no file named forward.py"),
        ("not_python", "SyntaxError"),
    ],
)
def test_bad_input_gets_zero_and_a_reason(tmp_path, folder, words):
    """broken uploads get a valid results.json with 0 points and the reason on its first line."""
    done = run_cli(BAD / folder, tmp_path / "results.json")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["score"] == 0 and data["max_score"] > 0
    first = data["output"].splitlines()[0]
    assert first.startswith("0 points: ") and words in first
    assert all(test["score"] == 0 for test in data["tests"])


def test_link_to_the_reference_is_not_followed(ch01, tmp_path):
    """a forward.py that links to the reference is rejected unread: 0 points, no hash of its target."""
    (tmp_path / "forward.py").symlink_to(ch01.solution)
    report = grade_submission(ch01, tmp_path)
    assert report.score == 0 and "link" in report.output.splitlines()[0]
    assert report.metadata["submission_sha256"] is None


# -- reproducibility -------------------------------------------------------------------------


def test_regrading_gives_the_same_scores_and_metadata(ch01, graded):
    """two gradings of one file agree on every score and on all metadata but the time taken."""
    first, second = graded("wrong.py"), grade_submission(ch01, HOSTILE / "wrong.py")
    assert [(t.name, t.score, t.output) for t in first.tests] == [(t.name, t.score, t.output) for t in second.tests]
    assert {k: v for k, v in first.metadata.items() if k != "seconds"} == {
        k: v for k, v in second.metadata.items() if k != "seconds"
    }
    meta = first.metadata
    assert meta["submission_sha256"] == hashlib.sha256((HOSTILE / "wrong.py").read_bytes()).hexdigest()
    assert len(meta["suite_sha256"]) == 64 and meta["seeds"]
    assert meta["python"] == platform.python_version() and meta["numpy"] == np.__version__


# -- degraded machines -----------------------------------------------------------------------


def test_missing_resource_module_is_reported(ch01, monkeypatch):
    """without the resource module grading works and the results say no resource limits were set."""
    monkeypatch.setitem(sys.modules, "resource", None)
    report = grade_submission(ch01, ch01.solution)
    assert report.score == report.max_score
    missing = report.metadata["protections"]["not_in_force"]
    assert [m for m in missing if m.startswith("resource limits")] != []


def test_running_as_the_grader_is_reported(ch01):
    """without a sandbox user the results say so, and (as root) that the hidden files were readable."""
    sandbox = Sandbox(unreadable=(str(ch01.solution.parent), str(ch01.hidden_tests)))
    report = grade_submission(ch01, ch01.solution, sandbox=sandbox)
    assert report.score == report.max_score
    missing = " | ".join(report.metadata["protections"]["not_in_force"])
    assert "privilege drop" in missing and "killing child processes" in missing
    if AS_ROOT:
        assert "hidden files unreadable" in missing


# -- privilege drop (root) -------------------------------------------------------------------


@NEEDS_DROP
def test_kill_minus_one_as_the_sandbox_user_ends_its_processes():
    """the clean-up used where there is no /proc ends every process of the sandbox uid, and nothing else."""
    uid = int(os.environ.get("AUTOGRADER_SANDBOX_UID", "64999")) - SANDBOX_UIDS - 1  # outside the pool
    mine = subprocess.Popen(["sleep", "1000"])
    theirs = subprocess.Popen(["sleep", "1000"], user=uid, group=uid, extra_groups=[])
    try:
        signal_every_process_of(uid)
        assert theirs.wait(timeout=10) == -9
        assert mine.poll() is None
    finally:
        for process in (mine, theirs):
            process.kill()
            process.wait()


@NEEDS_DROP
def test_student_code_runs_as_an_unprivileged_user(graded):
    """as root, student code runs as a sandbox uid that can neither read the answers nor write the project."""
    report = graded("report_identity.py")
    outputs = [t.output for t in report.tests if t.task == "cosine_schedule" and "IDENTITY" in t.output]
    assert outputs
    seen = json.loads(outputs[0].split("IDENTITY ", 1)[1].splitlines()[0])
    base = int(os.environ.get("AUTOGRADER_SANDBOX_UID", "64999"))
    assert seen["uid"] == seen["euid"] == report.sandbox_uid
    assert base - SANDBOX_UIDS < seen["uid"] <= base and seen["groups"] == []
    assert {k: v for k, v in seen.items() if k.startswith(("read_", "write_", "list_", "project_"))} == {
        "read_solution": False,
        "read_suites": False,
        "read_tests": False,
        "read_git": False,
        "list_project": False,
        "write_project": False,
        "write_grader": False,
        "project_on_path": False,
    }
    assert report.metadata["protections"]["not_in_force"] == []
    assert report.metadata["protections"]["in_force"]["privileges_dropped"] is True
