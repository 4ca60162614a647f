"""Hostile and broken submissions: nothing earned that was not earned, nothing lost, nothing leaked.

Each file in tests/hostile/ is a submission with one trick, and names its clean
twin: the reference, or a stated wrong variant (wrong.py, zeros.py). A trick
may cost points; it must never earn a check its twin does not earn.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.cli import main as autograder_main
from autograder.course import PROJECT_ROOT
from autograder.grade import grade_submission
from autograder.results import MAX_RESULTS_BYTES, GradeReport, write_results
from autograder.results import TestResult as Check  # by its own name pytest would collect it
from autograder.sandbox import namespaces
from autograder.sandbox.account import (
    SANDBOX_UIDS,
    SHARED_FOLDERS,
    Sandbox,
    _ipc_of_user,
    posix_queues_of_user,
    processes_of_user,
    remove_tree,
    signal_every_process_of,
)
from autograder.sandbox.libraries import open_to_others

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow

HOSTILE = Path(__file__).parent / "hostile"
BAD = HOSTILE / "bad"
AS_ROOT = os.name == "posix" and os.geteuid() == 0
NEEDS_DROP = pytest.mark.skipif(
    not AS_ROOT,
    reason="needs root: without the privilege drop student code runs "
    "as the grader's user and can read and change the project",
)
NEEDS_NAMESPACES = pytest.mark.skipif(
    not namespaces.available(), reason="needs Linux namespaces through bubblewrap (make system-packages, as root)"
)
# The two ways a root grader isolates student code: both are tested wherever they exist.
MODES = [
    pytest.param("namespaces", marks=NEEDS_NAMESPACES),
    pytest.param("uid drop", marks=NEEDS_DROP),
]


# Limits smaller than the course's (a call 5 s, a function 15 s, the import 20 s, all of it 45 s, 1.5 GB),
# for the tests that wait for a limit to stop a submission: the same bounds, reached in seconds. The total
# holds two functions' two calls of a whole call limit each (wait_in_vfork.py) and the honest rest; the
# reference fits the memory (Gradescope's default container gives it 448 MB), and a memory bomb fills it
# in a fraction of a call's limit.
SHORT = {"call_seconds": 1.0, "function_seconds": 3.0, "import_seconds": 2.0, "total_seconds": 6.0, "memory_mb": 512}
# The public suite alone: for gradings whose trick acts at import or in every function (the public
# suite calls each), where what is asserted is what the trick did and that the honest rest scores
# like the reference graded the same way, not a hidden check's own verdict.
PUBLIC = ("public",)


def with_short_limits(assignment):
    """The assignment with SHORT's limits; its other limits as the course sets them."""
    return dataclasses.replace(assignment, limits=dataclasses.replace(assignment.limits, **SHORT))


def with_seconds(name: str, seconds: float, folder: Path) -> Path:
    """A copy of a hostile file (in ``folder``) whose ``SECONDS``, what it waits or computes, is ``seconds``."""
    text = (HOSTILE / name).read_text()
    line = next(line for line in text.splitlines() if line.startswith("SECONDS = "))
    (folder / "forward.py").write_text(text.replace(line, f"SECONDS = {seconds!r}"))
    return folder / "forward.py"


def sandbox_for(mode: str, ch01) -> Sandbox:
    """The machine's sandbox, with namespaces on or off."""
    from autograder.grade import hidden_paths  # noqa: PLC0415

    sandbox = Sandbox.for_this_machine(unreadable=[*hidden_paths(ch01), PROJECT_ROOT])
    return Sandbox(**{**sandbox.__dict__, "namespaces": mode == "namespaces"})


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
def graded_short(ch01, tmp_path_factory):
    """Grade a file of tests/hostile under SHORT's limits, its SECONDS (if given) set to ``seconds``."""

    def run(name, seconds=None):
        path = HOSTILE / name if seconds is None else with_seconds(name, seconds, tmp_path_factory.mktemp("short"))
        return grade_submission(with_short_limits(ch01), path)

    return run


@pytest.fixture(scope="module")
def reference_report(ch01):
    return grade_submission(ch01, ch01.solution)


@pytest.fixture(scope="module")
def public_reference(ch01):
    """The reference on the public suite alone: the twin of the gradings on PUBLIC."""
    return grade_submission(ch01, ch01.solution, suites=PUBLIC)


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


@pytest.fixture
def planted_copies(ch01, tmp_path_factory):
    """Copies of the reference outside the project where a thief looks: one readable by all in
    an open folder, one readable by all in a folder other users cannot enter (a 0700 parent,
    like a clone under ``mktemp -d``). Removed afterwards."""
    import tempfile  # noqa: PLC0415

    open_folder = Path(tempfile.mkdtemp(prefix="autograder-planted-"))
    closed = Path(tempfile.mkdtemp(prefix="autograder-planted-closed-"))
    for folder in (open_folder, closed / "solutions" / "ch01_forward"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "forward.py").write_bytes(ch01.solution.read_bytes())
        (folder / "forward.py").chmod(0o644)
    open_folder.chmod(0o755)
    (closed / "solutions").chmod(0o755)
    (closed / "solutions" / "ch01_forward").chmod(0o755)
    closed.chmod(0o700)
    yield {"open": open_folder / "forward.py", "closed": closed / "solutions" / "ch01_forward" / "forward.py"}
    remove_tree(open_folder)
    remove_tree(closed)


def copies_open_to_all(reference: Path, seconds: float = 3.0) -> list[str]:
    """Copies of the reference outside the project that any user can reach and read: every
    folder on the way enterable by others (a copy under a 0700 parent is not one)."""
    text, project = reference.read_bytes(), reference.parents[2]
    found, end = [], time.monotonic() + seconds
    folders = [(p, 0) for p in dict.fromkeys([project.parent, Path("/tmp"), Path("/autograder")]) if open_to_others(p)]
    while folders and time.monotonic() < end:
        folder, depth = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
                if entry.is_dir(follow_symlinks=False) and mode & 0o005 == 0o005 and depth < 6:
                    if Path(entry.path) != project:
                        folders.append((Path(entry.path), depth + 1))
                elif entry.name == reference.name and mode & 0o004 and Path(entry.path).read_bytes() == text:
                    found.append(entry.path)
            except OSError:
                continue
    return found


def test_casting_down_to_float16_does_not_hide_a_wrong_formula(graded):
    """results 0.4% off, cast to float16: 8 points (three statistical checks), as in float64; it had 67 against 51."""
    assert graded("off_by_a_little.py").score == 8
    assert graded("cast_down_hides_error.py").score == 8


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("trick", ["steal_reference.py", "read_suites.py", "vandal.py"])
def test_reaching_for_the_project_earns_exactly_the_wrong_stub(graded, trick, ch01, mode, planted_copies):
    """importing the reference by name, searching the disk for it (a copy under a 0700 parent
    included; in namespaces, a copy open to all too), reading the suites: same as wrong.py."""
    if mode != "namespaces":
        planted_copies["open"].unlink()  # readable by every user: beyond a uid drop, as docs/security.md says
        stray = copies_open_to_all(ch01.solution)
        if stray:
            pytest.skip(f"without namespaces, copies of the reference readable by every user are in reach: {stray[:3]}")
    report = grade_submission(ch01, HOSTILE / trick, sandbox=sandbox_for(mode, ch01))
    assert passed(report) == passed(graded("wrong.py"))
    text = json.dumps(report.to_json())
    assert "stolen from" not in text
    if trick == "read_suites.py":  # the sources and `make`'s bytecode of them, all out of reach
        tag = sys.implementation.cache_tag
        for name in ("test_add_noise.py", "data.py", "misconceptions.py", f"data.{tag}.pyc", f"forward.{tag}.pyc"):
            assert f"could not read {name}: " in text


@pytest.mark.parametrize("mode", [pytest.param("namespaces", marks=NEEDS_NAMESPACES)])
def test_reading_proc_finds_no_classmate(ch01, graded, tmp_path, mode):
    """a submission reading every command line in /proc finds no classmate's folder: same as wrong.py."""
    import tempfile  # noqa: PLC0415

    klass = Path(tempfile.mkdtemp(prefix="class-"))
    try:
        klass.chmod(0o755)
        for name, source in (("alice", ch01.solution), ("mallory", HOSTILE / "read_cmdline.py")):
            (klass / name).mkdir(mode=0o755)
            (klass / name / "forward.py").write_bytes(source.read_bytes())
            (klass / name / "forward.py").chmod(0o644)
        done = run_cli(klass / "mallory", tmp_path / "results.json")
        assert done.returncode == 0, done.stderr
        data = json.loads((tmp_path / "results.json").read_text())
        assert data["score"] == graded("wrong.py").score
        assert "copied from" not in json.dumps(data)
        assert data["extra_data"]["protections"]["in_force"]["other_submissions_hidden"] is True
    finally:
        remove_tree(klass)


@NEEDS_DROP
@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="a command line is rewritten through /proc (Linux)")
def test_grade_all_shows_no_class_folder_in_proc_without_namespaces(ch01, graded, tmp_path):
    """without namespaces, a submission reading every command line in /proc finds no class folder
    in grade-all's, and so no classmate: it scores exactly wrong.py's score."""
    import tempfile  # noqa: PLC0415

    klass = Path(tempfile.mkdtemp(prefix="class-"))
    try:
        klass.chmod(0o711)  # enterable, not listable: only a path seen somewhere leads to a classmate
        for name, source in (("alice", ch01.solution), ("mallory", HOSTILE / "read_cmdline.py")):
            (klass / name).mkdir(mode=0o755)
            (klass / name / "forward.py").write_bytes(source.read_bytes())
            (klass / name / "forward.py").chmod(0o644)
        done = subprocess.run(
            [sys.executable, "-m", "autograder", "grade-all", ch01.id, str(klass), "--out", str(tmp_path / "out")],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={**os.environ, "AUTOGRADER_NAMESPACES": "0"},
        )
        assert done.returncode == 0, done.stderr
        data = json.loads((tmp_path / "out" / "mallory" / "results.json").read_text())
        copied = re.findall(r"copied from (\S+?)(?:\\n|\s|\")", json.dumps(data))
        assert [path for path in copied if path.startswith(str(klass))] == []
        if copied:  # the process list stays open without namespaces (docs/security.md): another
            # process on this machine named a folder holding a readable reference, beyond grade-all's own.
            pytest.skip(f"another process's command line led to {copied[0]}, outside the class folder")
        assert data["score"] == graded("wrong.py").score
    finally:
        remove_tree(klass)


@pytest.mark.parametrize("mode", MODES)
def test_the_machines_listeners_are_out_of_reach(ch01, public_reference, mode, tmp_path):
    """listeners on 127.0.0.1 and ::1 of the grading machine: student code cannot open a socket to
    them (refused by the filter, without namespaces too), nothing reaches them, full marks."""
    import socket  # noqa: PLC0415

    listeners = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, listeners[0].getsockname()[1] if listeners else 0))
        listener.listen(4)
        listener.setblocking(False)
        listeners.append(listener)
    try:
        port = listeners[0].getsockname()[1]
        text = (HOSTILE / "reach_listeners.py").read_text().replace("PORT = 0", f"PORT = {port}")
        (tmp_path / "forward.py").write_text(text)
        report = grade_submission(ch01, tmp_path, suites=PUBLIC, sandbox=sandbox_for(mode, ch01))
        reached = []
        for listener in listeners:
            with contextlib.suppress(BlockingIOError):
                reached.append(listener.accept())
    finally:
        for listener in listeners:
            listener.close()
    assert reached == []
    assert printed(report, "NETWORK") == "127.0.0.1=refused errno 1 ::1=refused errno 1"
    assert report.score == public_reference.score


# -- the grader survives, and nothing of the submission outlives it ----------------------------


@pytest.mark.parametrize(
    ("name", "task", "words"),
    [
        ("loop_in_call.py", "noise_step", f"time limit of {SHORT['call_seconds']:g} s of CPU time"),
        ("memory_bomb.py", "add_noise", "MemoryError"),
    ],
)
def test_runaway_function_fails_only_itself(graded_short, reference_report, name, task, words):
    """an endless loop or a memory bomb in one function fails that function; the rest match the reference."""
    report = graded_short(name)
    assert_no_more_than(report, reference_report, task_lost=task)
    assert any(words in t.output for t in report.tests if t.task == task)
    assert_nothing_left(report)


def test_endless_import_gets_zero(graded_short):
    """an import that never ends is stopped at the import limit and earns 0 with that reason."""
    report = graded_short("loop_at_import.py")
    assert report.score == 0
    assert f"importing forward.py took longer than {SHORT['import_seconds']:g} s of CPU time" in report.output
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
def test_left_children_are_killed_without_a_sandbox_user(ch01, public_reference):
    """without the privilege drop, children found by the worker's token in their environment are killed too."""
    report = grade_submission(ch01, HOSTILE / "orphans.py", suites=PUBLIC, sandbox=Sandbox())
    assert passed(report) == passed(public_reference)
    assert processes_named("hostile-orphan") == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finding strays needs Linux /proc")
@pytest.mark.parametrize("sandbox", ["none", "machine"])
def test_a_daemon_forked_in_python_does_not_survive(ch01, public_reference, sandbox):
    """a grandchild that left the session without exec (so without the worker's environment) is killed too."""
    chosen = Sandbox() if sandbox == "none" else None
    report = grade_submission(ch01, HOSTILE / "python_daemon.py", suites=PUBLIC, sandbox=chosen)
    assert passed(report) == passed(public_reference)
    assert processes_named("hostile-daemon") == []
    assert [m for m in report.metadata["protections"]["not_in_force"] if m.startswith("no survivors")] == []


@pytest.mark.skipif(os.name != "posix", reason="fork exists on POSIX only")
def test_fork_storm_is_contained(graded_short, reference_report):
    """a fork storm in noise_step fails noise_step only, and leaves no process behind."""
    report = graded_short("fork_storm.py")
    assert_no_more_than(report, reference_report, task_lost="noise_step")
    assert_nothing_left(report)


@pytest.mark.parametrize("name", ["slow_import_exits.py", "sleep_each_call.py"])
def test_time_wasters_are_bounded_by_the_total_budget(graded_short, reference_report, name):
    """slow imports with dying calls, or calls just under the limit, end once the total budget is spent."""
    # Each call (sleep_each_call.py) or import (slow_import_exits.py) waits 80% of a call's limit: 8 use up the total.
    report = graded_short(name, seconds=0.8 * SHORT["call_seconds"])
    assert report.metadata["seconds"] > 0 and report.max_score == reference_report.max_score
    assert_no_more_than(report, reference_report)
    stopped = ("not run:", "time your code may take", "ended during")
    failed = [t.output for t in report.tests if not t.passed]
    assert failed and [o for o in failed if not any(words in o for words in stopped)] == []
    total = f"the {SHORT['total_seconds']:g} s of CPU time it may take in total"
    assert any(total in o for o in failed)
    assert_nothing_left(report)


def test_waiting_in_any_state_counts_like_sleep(graded_short, reference_report):
    """a call blocked in a vfork wait (state D), or waiting on a child so blocked, ends at its
    time limit like a sleep, and says so; the other functions score like the reference."""
    started = time.monotonic()
    report = graded_short("wait_in_vfork.py")
    assert time.monotonic() - started < 60  # uncounted, each call waited its 8 s and passed: 150 s
    blocked = ("noise_step", "remove_noise")
    assert [t.name for t in report.tests if t.task in blocked and t.passed] == []
    assert {t.name: t.passed for t in report.tests if t.task not in blocked} == {
        t.name: t.passed for t in reference_report.tests if t.task not in blocked
    }
    assert report.score == sum(t.max_score for t in reference_report.tests if t.task not in blocked)
    for task in blocked:
        outputs = [t.output for t in report.tests if t.task == task]
        limit = (
            f"{task} did not finish within the time limit of {SHORT['call_seconds']:g} s of CPU time for one call"
            " (most of it waiting"
        )
        assert any(o.startswith(limit) for o in outputs)
        assert [o for o in outputs if not o.startswith((limit, "not run:"))] == []
    assert_nothing_left(report)


# -- the protocol: replies are the grader's to ask for, time is CPU time ------------------------


@pytest.mark.parametrize(
    ("trick", "twin"), [("swap_clean_inputs.py", "modifies_x0.py"), ("chain_closed_form.py", "wrong_step.py")]
)
def test_frame_walking_earns_exactly_its_twin(graded, trick, twin):
    """clean inputs swapped back into the worker's frames, a chain answered in closed form: same as the twin."""
    assert passed(graded(trick)) == passed(graded(twin))
    assert graded(trick).score == graded(twin).score < graded(twin).max_score


def test_modified_inputs_are_seen_by_the_grader(graded, reference_report):
    """an add_noise that zeroes its x0 fails exactly the checks that x0 is left untouched."""
    lost = [name for name, ok in passed(graded("modifies_x0.py")).items() if not ok]
    assert lost and all(name.startswith("add_noise: ") and "modif" in name for name in lost)
    assert graded("modifies_x0.py").score < reference_report.score


@pytest.mark.parametrize(
    ("trick", "words"),
    [
        ("forge_reply_then_stop.py", "stopped itself (SIGSTOP)"),
        ("forge_reply_and_return.py", "sent a reply nobody asked for"),
    ],
)
def test_forged_replies_earn_nothing(graded, trick, words):
    """a reply written by student code on the grader's pipe, then a stop or a return: no more than the twin."""
    report = graded(trick)
    assert_no_more_than(report, graded("modifies_x0.py"))
    untouched = [name for name, ok in passed(graded("modifies_x0.py")).items() if not ok]
    assert untouched and [name for name in untouched if passed(report)[name]] == []
    assert any(words in test.output for test in report.tests)
    assert_nothing_left(report)


def test_an_unreadable_forged_reply_ends_the_worker(graded, reference_report):
    """a forged reply nested 400k deep or shaped past NumPy's range ends the worker: only remove_noise is lost."""
    report = graded("forge_unreadable_reply.py")
    assert_no_more_than(report, reference_report, task_lost="remove_noise")
    kept = sum(t.max_score for t in reference_report.tests if t.task != "remove_noise")
    assert report.score == kept < reference_report.score
    outputs = {t.output for t in report.tests if t.task == "remove_noise"}
    assert outputs and all("remove_noise sent back something that is not plain data (" in o for o in outputs)
    assert_nothing_left(report)


def test_a_child_holding_the_pipes_blocks_nothing(graded, reference_report):
    """a grandchild that keeps the worker's pipes open: the worker's end is seen at once, as for a plain exit."""
    report = graded("child_holds_pipes.py")
    assert_no_more_than(report, reference_report, task_lost="remove_noise")
    outputs = {t.output for t in report.tests if t.task == "remove_noise"}
    assert outputs and all("ended during remove_noise" in o or o.startswith("not run:") for o in outputs)
    assert_nothing_left(report)


def test_unasked_replies_end_the_worker_and_cost_no_memory(public_reference, tmp_path):
    """32 unasked replies of 64 MB: the worker is ended with a clear reason and the grader stays small."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = run_cli(HOSTILE / "flood_replies.py", tmp_path / "results.json", PUBLIC)  # each remove_noise call floods
    assert done.returncode == 0, done.stderr
    # Generous: one reply of 64 MB may be held at a time; keeping them all took 2 GB.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 1024 or before / 1024 >= 1024
    report = report_from(tmp_path / "results.json")  # the very grading whose memory was measured
    assert_no_more_than(report, public_reference)
    assert [t for t in report.tests if t.task == "remove_noise" and "not modified" not in t.name and t.passed] == []
    assert any("sent a reply nobody asked for" in t.output for t in report.tests)


def busy_loops(count: int) -> list[subprocess.Popen]:
    """Processes that keep a processor busy until they are ended (by PID)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


# What `python -m autograder grade ASSIGNMENT --submission FILE --results FILE` does, under limits of
# course.toml's changed by a JSON object: for gradings side by side, each in a process of its own.
GRADE_WITH_LIMITS = """
import dataclasses, json, sys
from pathlib import Path
from autograder.course import get_assignment
from autograder.grade import grade_submission
from autograder.results import write_results
assignment = get_assignment(sys.argv[1])
limits = dataclasses.replace(assignment.limits, **json.loads(sys.argv[2]))
report = grade_submission(dataclasses.replace(assignment, limits=limits), Path(sys.argv[3]))
write_results(report, Path(sys.argv[4]))
"""


def grading_process(assignment, limits: dict, submission: Path, results: Path) -> subprocess.Popen:
    """A grading of ``submission`` under ``limits`` in a process of its own, writing ``results``."""
    return subprocess.Popen(
        [sys.executable, "-c", GRADE_WITH_LIMITS, assignment.id, json.dumps(limits), str(submission), str(results)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_cpu_heavy_correct_code_keeps_full_marks_on_a_busy_machine(ch01, reference_report, tmp_path):
    """add_noise's calls using 70% of its CPU budget, four gradings side by side beside three busy loops:
    full marks for each."""
    # A hundredth of the function's budget a call, as 0.15 s is of the course's 15 s: its 71 calls use 70%.
    heavy = with_seconds("cpu_heavy.py", SHORT["function_seconds"] / 100, tmp_path)
    loops = busy_loops(3)
    try:
        gradings = [grading_process(ch01, SHORT, heavy, tmp_path / f"results-{n}.json") for n in range(4)]
        errors = [grading.communicate(timeout=600)[1] for grading in gradings]
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    assert [grading.returncode for grading in gradings] == [0] * 4, errors
    for n in range(4):
        data = json.loads((tmp_path / f"results-{n}.json").read_text())
        lost = [t["name"] + ": " + t["output"][:200] for t in data["tests"] if t["score"] < t["max_score"]]
        assert lost == []
        assert data["score"] == data["max_score"] == reference_report.max_score


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


def aimed_at_the_project(name: str, folder: Path) -> Path:
    """A copy of a hostile file that knows the project's real path (it is public), wherever
    the worker runs from; in ``folder``."""
    text = (HOSTILE / name).read_text()
    text = text.replace("Path(sys.argv[0]).resolve().parents[2]", f"Path({str(PROJECT_ROOT)!r})")
    assert str(PROJECT_ROOT) in text
    (folder / "forward.py").write_text(text)
    return folder / "forward.py"


@pytest.mark.parametrize("mode", MODES)
def test_vandal_changes_nothing(ch01, mode, tmp_path):
    """a submission that rewrites the grader, empties the suites and deletes the solutions changes nothing."""
    folders = (PROJECT_ROOT / "autograder", PROJECT_ROOT / "solutions", ch01.hidden_tests)
    before = tree_digest(*folders)
    report = grade_submission(
        ch01, aimed_at_the_project("vandal.py", tmp_path), suites=PUBLIC, sandbox=sandbox_for(mode, ch01)
    )
    assert tree_digest(*folders) == before
    assert not (PROJECT_ROOT / "VANDALISED").exists()
    assert report.score > 0 and report.output == ""


def report_from(results: Path) -> GradeReport:
    """The grade a results.json holds, each check's task the function its name starts with."""
    data = json.loads(results.read_text())
    tests = [
        Check(t["name"], t["score"], t["max_score"], t["output"], t["visibility"], t["name"].split(": ", 1)[0])
        for t in data["tests"]
    ]
    return GradeReport(assignment="ch01_forward", tests=tests, output=data["output"])


def run_cli(submission, results, suites=("public", "hidden")) -> subprocess.CompletedProcess:
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
            "--suites",
            ",".join(suites),
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


def cli_in_this_process(submission, results, capsys) -> tuple[int, str]:
    """What `python -m autograder grade` of ch01_forward exits with, and prints on stderr, run in this process
    (for uploads that are refused before any of their code runs, or that cannot be imported)."""
    code = autograder_main(
        ["grade", "ch01_forward", "--submission", str(submission), "--results", str(results), "--quiet"]
    )
    return code, capsys.readouterr().err


def test_missing_submission_exits_2_with_one_line(tmp_path, capsys):
    """a path that does not exist: exit status 2 and one line on stderr, no results file."""
    code, stderr = cli_in_this_process(BAD / "missing", tmp_path / "results.json", capsys)
    assert code == 2
    assert stderr.strip().splitlines() == [f"autograder: cannot grade: no such file or folder: {BAD / 'missing'}"]
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
def test_bad_input_gets_zero_and_a_reason(tmp_path, folder, words, capsys):
    """broken uploads get a valid results.json with 0 points and the reason on its first line."""
    code, stderr = cli_in_this_process(BAD / folder, tmp_path / "results.json", capsys)
    assert code == 0, stderr
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["score"] == 0 and data["max_score"] > 0
    first = data["output"].splitlines()[0]
    assert first.startswith("0 points: ") and words in first
    assert all(test["score"] == 0 for test in data["tests"])


@pytest.mark.parametrize(
    "head",
    [
        "# -*- coding: latin-1 -*-\n# \xe9t\xe9: written on a machine set to Latin-1\n",
        "# coding: cp1252\n# \u201cquoted\u201d\n",
        '{"cells": 0}  # a dict, and Python: not a notebook\n',
        "\ufeff# saved with a byte order mark\n",
    ],
    ids=["latin-1 declared", "cp1252 declared", "starts like a notebook", "utf-8 BOM"],
)
def test_a_file_python_reads_is_graded_as_python(ch01, tmp_path, head):
    """a coding declaration (PEP 263), a BOM or a leading {"cells": ...} line: Python reads it, so full marks."""
    encoding = "cp1252" if "cp1252" in head else "latin-1" if "latin-1" in head else "utf-8"
    (tmp_path / "forward.py").write_bytes(head.encode(encoding) + ch01.solution.read_bytes())
    report = grade_submission(ch01, tmp_path, suites=PUBLIC)
    assert report.output == "" and report.score == report.max_score > 0


def test_an_encoding_python_does_not_know_gets_zero_and_a_reason(ch01, tmp_path):
    """a coding declaration naming no real encoding: 0 points, and the reason says the file cannot be read."""
    (tmp_path / "forward.py").write_bytes(b"# coding: klingon\n" + ch01.solution.read_bytes())
    report = grade_submission(ch01, tmp_path)
    assert report.score == 0 and "cannot be read as Python source" in report.output.splitlines()[0]


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
    report = grade_submission(ch01, ch01.solution, suites=PUBLIC)
    assert report.score == report.max_score
    missing = report.metadata["protections"]["not_in_force"]
    assert [m for m in missing if m.startswith("resource limits")] != []


def test_running_as_the_grader_is_reported(ch01):
    """without a sandbox user the results say so, and (as root) that the hidden files were readable."""
    sandbox = Sandbox(unreadable=(str(ch01.solution.parent), str(ch01.hidden_tests)))
    report = grade_submission(ch01, ch01.solution, suites=PUBLIC, sandbox=sandbox)
    assert report.score == report.max_score
    missing = " | ".join(report.metadata["protections"]["not_in_force"])
    assert "privilege drop" in missing
    # A cold worker's strays are found by its environment only; a forked one's are handed to the template.
    warm = report.metadata["protections"]["in_force"]["warm_start"]
    assert ("killing child processes" in missing) is not warm
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


@pytest.mark.parametrize("mode", MODES)
def test_student_code_runs_as_an_unprivileged_user(ch01, mode, tmp_path):
    """as root, student code runs as a sandbox uid that can neither read the answers nor write the project."""
    report = grade_submission(
        ch01, aimed_at_the_project("report_identity.py", tmp_path), suites=PUBLIC, sandbox=sandbox_for(mode, ch01)
    )
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
    protections = report.metadata["protections"]
    in_force = protections["in_force"]
    assert in_force["privileges_dropped"] is True and in_force["no_new_privs"] is True
    if mode == "namespaces":
        assert protections["not_in_force"] == []
        assert in_force["namespaces"] == dict.fromkeys(namespaces.NAMESPACES, True)
        assert in_force["other_submissions_hidden"] is True
    else:
        assert [m.split(":")[0] for m in protections["not_in_force"]] == ["kernel namespaces"]
        assert in_force["namespaces"] == {} and in_force["other_submissions_hidden"] is False


# -- honest code that uses the standard library -------------------------------------------------


@pytest.mark.parametrize("mode", [*MODES, pytest.param("no drop")])
def test_standard_library_imports_get_full_marks(ch01, public_reference, mode):
    """a correct submission importing __future__, logging, argparse, uuid, numpy.testing... gets full marks."""
    sandbox = Sandbox() if mode == "no drop" else sandbox_for(mode, ch01)
    report = grade_submission(ch01, HOSTILE / "stdlib_imports.py", suites=PUBLIC, sandbox=sandbox)
    assert report.output == ""
    assert report.score == public_reference.score == report.max_score


@pytest.fixture(scope="module")
def import_probe() -> tuple[str, list[str]]:
    """Code that imports every module of sys.stdlib_module_names and of NumPy it can (into OK), and the
    modules it imports in a plain interpreter."""
    import pkgutil  # noqa: PLC0415

    skip = {"antigravity", "this", "idlelib", "turtledemo", "tkinter", "turtle", "__main__"}
    names = sorted(n for n in sys.stdlib_module_names if n not in skip)
    packages = [(np.__path__, "numpy.")]
    while packages:  # NumPy's modules, found without importing them
        path, prefix = packages.pop()
        for module in pkgutil.iter_modules(path, prefix):
            if any(part in module.name for part in (".tests", "distutils", "f2py", "_pyinstaller", "conftest")):
                continue
            names.append(module.name)
            if module.ispkg:
                packages.append(
                    ([os.path.join(module.module_finder.path, module.name.rsplit(".", 1)[1])], f"{module.name}.")
                )
    probe = (
        "import importlib, json, warnings\nwarnings.simplefilter('ignore')\nOK = []\n"
        f"for name in {names!r}:\n"
        "    try:\n        importlib.import_module(name)\n        OK.append(name)\n"
        "    except BaseException:\n        pass\n"
    )
    plain = subprocess.run(
        [sys.executable, "-I", "-c", probe + "print(json.dumps(OK))"], capture_output=True, text=True, check=True
    )
    return probe, json.loads(plain.stdout.splitlines()[-1])


@pytest.mark.parametrize("mode", MODES)
def test_every_standard_module_is_importable(ch01, tmp_path, mode, import_probe):
    """every module of sys.stdlib_module_names and of NumPy that imports in a plain interpreter
    imports in student code too."""
    probe, available = import_probe
    (tmp_path / "forward.py").write_text(
        f"{probe}\nAVAILABLE = {available!r}\n\n\ndef cosine_schedule(T=1000):\n"
        "    raise RuntimeError('UNIMPORTABLE ' + ' '.join(n for n in AVAILABLE if n not in OK))\n"
    )
    report = grade_submission(ch01, tmp_path, suites=PUBLIC, sandbox=sandbox_for(mode, ch01))
    outputs = [t.output for t in report.tests if "UNIMPORTABLE" in t.output]
    assert outputs and outputs[0].split("UNIMPORTABLE", 1)[1].splitlines()[0].strip() == ""
    assert len(available) > 400


def test_a_missing_package_is_named_with_what_is_available(graded):
    """importing SciPy earns 0 with one line naming it and what the grader offers."""
    report = graded("missing_module.py")
    assert report.score == 0
    assert report.output.splitlines()[0] == (
        "0 points: forward.py could not be imported: ModuleNotFoundError: No module named 'scipy': "
        "the grader offers only the Python standard library, numpy"
    )


# -- nothing outlives a grading, whatever the uid, session or place -----------------------------


@pytest.mark.parametrize("mode", MODES)
def test_setuid_programs_started_in_their_own_session_do_not_survive(ch01, public_reference, mode):
    """su and the polkit helper started with an empty environment in their own session gain
    no privileges and are gone after grading; the honest rest scores like the reference."""
    report = grade_submission(ch01, HOSTILE / "setuid_survivor.py", suites=PUBLIC, sandbox=sandbox_for(mode, ch01))
    assert passed(report) == passed(public_reference)
    assert processes_named("hostile-setuid") == []
    assert_nothing_left(report)
    assert report.metadata["protections"]["in_force"]["no_new_privs"] is True


@pytest.mark.parametrize("mode", [*MODES, pytest.param("no drop")])
def test_deep_folders_are_removed_without_error(ch01, public_reference, mode):
    """3000 nested folders made in the working folder cost nothing and are removed; the next grading runs."""
    sandbox = Sandbox() if mode == "no drop" else sandbox_for(mode, ch01)
    report = grade_submission(ch01, HOSTILE / "deep_folders.py", suites=PUBLIC, sandbox=sandbox)
    assert passed(report) == passed(public_reference)
    assert_nothing_left(report)
    assert grade_submission(ch01, ch01.solution, suites=PUBLIC, sandbox=sandbox).score == public_reference.score


@pytest.mark.parametrize("seccomp", ["filter", "no filter"])
@pytest.mark.parametrize("mode", MODES)
def test_files_and_ipc_objects_do_not_reach_the_next_grading(ch01, public_reference, mode, seccomp, monkeypatch):
    """files in /tmp, /var/tmp, /dev/shm and /run/lock, SysV shared memory, queues and semaphores,
    and POSIX queues (refused by the filter; without it, found with /dev/mqueue mounted or not)
    made by a submission are gone when its grading ends."""
    if seccomp == "no filter":
        monkeypatch.setenv("AUTOGRADER_SECCOMP", "0")
    sandbox = sandbox_for(mode, ch01)
    if sandbox.uid is not None:
        # A uid below those other gradings count down through (make test runs two pytest processes):
        # no grading beside this one can take it between the two gradings below.
        private = sandbox.uid - SANDBOX_UIDS - 50
        sandbox = dataclasses.replace(sandbox, uid=private, gid=private)
    report = grade_submission(ch01, HOSTILE / "leftovers.py", suites=PUBLIC, sandbox=sandbox)
    assert passed(report) == passed(public_reference)
    left = [
        str(path)
        for folder in SHARED_FOLDERS
        if Path(folder).is_dir()
        for path in Path(folder).glob("hostile-leftover-*")
    ]
    assert left == []
    assert _ipc_of_user(report.sandbox_uid) == []
    assert posix_queues_of_user(report.sandbox_uid) in ([], None)
    assert_nothing_left(report)
    # The next submission of this process (the same warm template, the same uid) finds none of it.
    after = grade_submission(ch01, HOSTILE / "looks_for_leftovers.py", suites=PUBLIC, sandbox=sandbox)
    assert report.metadata["protections"]["in_force"]["warm_start"] is True
    assert after.sandbox_uid == report.sandbox_uid
    assert [t.output for t in after.tests if "left by the previous submission" in t.output] == []
    assert passed(after) == passed(public_reference)


def printed(report, start: str) -> str:
    """The rest of the first line the submission printed that begins with ``start``."""
    lines = [line for test in report.tests for line in test.output.splitlines() if line.startswith(start)]
    assert lines, f"nothing printed starting with {start!r}"
    return lines[0][len(start) :].strip()


KEYRINGS = ("user", "user-session", "session", "persistent")
NOTHING_FOUND = " ".join(f"{ring}=nothing" for ring in KEYRINGS)


@pytest.mark.parametrize("start", ["warm", "cold"])
@pytest.mark.parametrize("seccomp", ["filter", "no filter"])
@pytest.mark.parametrize("mode", MODES)
def test_keys_do_not_reach_the_next_grading(ch01, public_reference, mode, seccomp, start, monkeypatch):
    """a secret stored in the sandbox uid's user, user-session, session and persistent keyrings is
    not found by the next grading under that uid: refused by the filter, or cleared without it."""
    if seccomp == "no filter":
        monkeypatch.setenv("AUTOGRADER_SECCOMP", "0")
    if start == "cold":
        monkeypatch.setenv("AUTOGRADER_WARM", "0")
    # A base uid of its own, so that a grading in the other test process cannot take the
    # uid between the two gradings and send the second one to the next uid down.
    monkeypatch.setenv("AUTOGRADER_SANDBOX_UID", str(int(os.environ.get("AUTOGRADER_SANDBOX_UID", "64999")) - 70))
    sandbox = sandbox_for(mode, ch01)
    plant = grade_submission(ch01, HOSTILE / "keyring_plant.py", suites=PUBLIC, sandbox=sandbox)
    read = grade_submission(ch01, HOSTILE / "keyring_read.py", suites=PUBLIC, sandbox=sandbox)
    assert read.sandbox_uid == plant.sandbox_uid
    if seccomp == "filter":
        refused = " ".join(f"{ring}=refused errno 1" for ring in KEYRINGS[:3])
        assert printed(plant, "KEYRING PLANT") == f"{refused} persistent=no keyring"
    else:
        assert re.fullmatch(" ".join(rf"{ring}=key \d+" for ring in KEYRINGS), printed(plant, "KEYRING PLANT"))
    assert printed(read, "KEYRING READ") == NOTHING_FOUND
    in_force = read.metadata["protections"]["in_force"]
    assert in_force["keyrings_cleared"] is True and in_force["seccomp"] is (seccomp == "filter")
    assert in_force["warm_start"] is (start == "warm")
    assert passed(plant) == passed(read) == passed(public_reference)


@NEEDS_DROP
def test_keys_do_not_reach_a_later_grading_process(tmp_path, monkeypatch):
    """keys planted under a uid by one `grade` run (no filter to refuse them) are not found by the next run."""
    monkeypatch.setenv("AUTOGRADER_SECCOMP", "0")
    # A base uid of its own, so that both runs claim the same one.
    monkeypatch.setenv("AUTOGRADER_SANDBOX_UID", str(int(os.environ.get("AUTOGRADER_SANDBOX_UID", "64999")) - 60))
    outputs = []
    for name in ("keyring_plant.py", "keyring_read.py"):
        done = run_cli(HOSTILE / name, tmp_path / f"{name}.json", PUBLIC)  # both act at import
        assert done.returncode == 0, done.stderr
        outputs.append("\n".join(t["output"] for t in json.loads((tmp_path / f"{name}.json").read_text())["tests"]))
    assert re.search(" ".join(rf"{ring}=key \d+" for ring in KEYRINGS), outputs[0])
    assert f"KEYRING READ {NOTHING_FOUND}" in outputs[1]


@pytest.mark.parametrize("start", ["warm", "cold"])
@pytest.mark.parametrize("mode", MODES)
def test_system_calls_honest_code_never_makes_are_refused(ch01, public_reference, mode, start, monkeypatch):
    """keyrings, io_uring, bpf, perf, userfaultfd, ptrace, kexec, modules, mounts, setns, memfd_create,
    new namespaces and every socket but AF_UNIX (inet, inet6, netlink, packet, vsock) are refused
    (clone3: ENOSYS); fork, threads, subprocess, posix_spawn and AF_UNIX socketpairs work; full marks."""
    if start == "cold":
        monkeypatch.setenv("AUTOGRADER_WARM", "0")
    report = grade_submission(ch01, HOSTILE / "forbidden_syscalls.py", suites=PUBLIC, sandbox=sandbox_for(mode, ch01))
    answers = dict(item.split("=", 1) for item in printed(report, "SYSCALLS").split())
    assert len(answers) >= 33
    assert {name for name in answers if name.startswith("socket(")} == {
        f"socket({family})" for family in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_VSOCK")
    }
    assert [f"{name}={answer}" for name, answer in answers.items() if name != "clone3" and answer != "EPERM"] == []
    assert answers["clone3"] == "ENOSYS"  # so that the C library falls back to clone, whose flags are seen
    assert printed(report, "ALLOWED") == (
        "fork=ok thread=ok subprocess=ok posix_spawn=ok unshare(CLONE_FS)=ok socketpair(AF_UNIX)=ok socket(AF_UNIX)=ok"
    )
    assert passed(report) == passed(public_reference)
    in_force = report.metadata["protections"]["in_force"]
    assert in_force["seccomp"] is True and in_force["warm_start"] is (start == "warm")


def test_a_grading_without_the_filter_says_so(ch01, public_reference, monkeypatch):
    """with the filter turned off, results.json lists it as not in force, with the reason."""
    monkeypatch.setenv("AUTOGRADER_SECCOMP", "0")
    report = grade_submission(ch01, ch01.solution, suites=PUBLIC)
    assert report.score == public_reference.score
    assert report.metadata["protections"]["in_force"]["seccomp"] is False
    missing = [m for m in report.metadata["protections"]["not_in_force"] if m.startswith("seccomp filter")]
    assert [m.split(", so ")[0] for m in missing] == [
        "seccomp filter: not installed (turned off by AUTOGRADER_SECCOMP=0)"
    ]


@NEEDS_NAMESPACES
@pytest.mark.parametrize("start", ["warm", "cold"])
def test_the_fresh_tmpfs_folders_hold_no_more_than_their_cap(ch01, public_reference, start, monkeypatch):
    """filling /tmp, /var/tmp, /dev/shm and /run stops at the cap of each (memory no limit counts): full marks."""
    if start == "cold":
        monkeypatch.setenv("AUTOGRADER_WARM", "0")
    report = grade_submission(ch01, HOSTILE / "fill_tmpfs.py", suites=PUBLIC, sandbox=sandbox_for("namespaces", ch01))
    text = json.dumps(report.to_json()).replace("\\n", "\n")
    written = {folder: int(mb) for mb, folder in re.findall(r"wrote (\d+) MB in (/[a-z/]+)", text)}
    assert set(written) == {"/tmp", "/var/tmp", "/dev/shm", "/run"}
    # (A cold worker's /run is not the sandbox user's to write in at all.)
    assert written["/tmp"] > 0 and all(mb <= namespaces.FRESH_MB for mb in written.values())
    assert report.score == public_reference.score


def test_hiding_that_a_result_is_its_input_changes_nothing(graded, reference_report):
    """xt itself returned at alpha_bar_t = 1 costs the check that asks for a new array, whether or not
    the code replaces the functions that tell (they were taken before it was imported)."""
    honest, hiding = graded("returns_xt_itself.py"), graded("hides_returning_xt_itself.py")
    assert passed(hiding) == passed(honest)
    assert honest.score == reference_report.score - 2
