"""The kernel counts: CPU time, memory and processors of a grading, whatever its processes do with their children.

Each attack is graded inside a measuring cgroup the test makes around its own
process, so the figures are the machine's, not the grader's: the CPU seconds
and the peak memory of everything the grading ran, against its budget and cap.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_hostile import HOSTILE, MODES, PUBLIC, SHORT, passed, sandbox_for, with_seconds, with_short_limits

from autograder.channels.batch import grade_all
from autograder.grade import grade_submission
from autograder.sandbox import cgroups

ROOT = Path("/sys/fs/cgroup")
V2 = next((m for m in (ROOT, ROOT / "unified") if (m / "cgroup.controllers").exists()), None)
V1_MEMORY = ROOT / "memory" if (ROOT / "memory" / "memory.max_usage_in_bytes").exists() else None
NEEDS_CGROUPS = pytest.mark.skipif(
    os.geteuid() != 0 or V2 is None or not sys.platform.startswith("linux"),
    reason="needs root and a cgroup v2 hierarchy (every Linux machine since systemd 247; CI has one)",
)


def resources_a_group_holds() -> set[str]:
    """What a grading's group counts or caps on this machine (a group made and removed at once)."""
    group = cgroups.GradingGroup.make(64, 8)
    held = set(group.versions)
    group.remove()
    return held


# Smaller budgets than the course's, so that an attack's bound is reached in a second or two (an attack
# burns the total and at most one call past it: 2.5 s of the machine's CPU).
SMALL = {"total_seconds": 1.5, "function_seconds": 1.5, "call_seconds": 1.0}
# A memory cap smaller than the course's 1.5 GB (the reference fits it, as in test_hostile's SHORT): a
# hoard of 3 GB fills it in a third of the time.
HOARD_CAP_MB = 512


def own_group(hierarchy: str) -> str:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, names, path = line.split(":", 2)
        if (hierarchy == "" and number == "0") or (hierarchy and hierarchy in names.split(",")):
            return path.lstrip("/")
    return ""


@contextlib.contextmanager
def machine_count():
    """What this process and everything it starts use inside the block: the kernel's CPU seconds
    (cgroup v2 ``usage_usec``) and, where v1 memory exists, the peak memory in bytes."""
    name = f"measure-{os.getpid()}-{time.monotonic_ns()}"
    folders = [(V2 / own_group(""), "cpu")]
    if V1_MEMORY is not None and V2 / own_group("") != V1_MEMORY:
        folders.append((V1_MEMORY / own_group("memory"), "memory"))
    made = []
    for parent, kind in folders:
        (parent / name).mkdir()
        made.append((parent, parent / name, kind))
    figures: dict[str, float] = {}
    try:
        for _, folder, _ in made:
            (folder / "cgroup.procs").write_text(str(os.getpid()))
        yield figures
    finally:
        for parent, _, _ in made:
            (parent / "cgroup.procs").write_text(str(os.getpid()))
        time.sleep(0.2)  # what the grading left is ended by now, and its time is in the count
        for _, folder, kind in made:
            if kind == "cpu":
                stat = dict(line.split() for line in (folder / "cpu.stat").read_text().splitlines())
                figures["cpu_seconds"] = int(stat["usage_usec"]) / 1e6
            else:
                figures["memory_peak_mb"] = int((folder / "memory.max_usage_in_bytes").read_text()) / 2**20
            for pid in (folder / "cgroup.procs").read_text().split():
                with contextlib.suppress(OSError):
                    os.kill(int(pid), 9)
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


def with_limits(ch01, **limits):
    return dataclasses.replace(ch01, limits=dataclasses.replace(ch01.limits, **limits))


@pytest.fixture
def cold(monkeypatch):
    """Cold workers: started inside the measuring group (a warm template may predate it)."""
    monkeypatch.setenv("AUTOGRADER_WARM", "0")


def measured(assignment, submission: Path, mode: str, suites=("public", "hidden")):
    with machine_count() as figures:
        report = grade_submission(assignment, submission, suites=suites, sandbox=sandbox_for(mode, assignment))
    return report, figures


@pytest.fixture(scope="module")
def small_twin(ch01):
    """The reference under SMALL, cold, measured once per mode: what every attack of the mode is set against."""
    twins = {}

    def measure(mode: str):
        if mode not in twins:
            twins[mode] = measured(with_limits(ch01, **SMALL), ch01.solution, mode)
        return twins[mode]

    return measure


@pytest.mark.slow
@NEEDS_CGROUPS
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attack", ["ignore_sigchld_burn.py", "orphan_burn.py"])
def test_cpu_of_children_nobody_collects_is_counted(ch01, cold, small_twin, mode, attack):
    """children reaped by the kernel (SIGCHLD ignored) or orphans reaped by another process: the machine
    spends no more than the total budget plus one call on the grading; only add_noise and what its
    children's time used up of the total lose points."""
    twin, clean = small_twin(mode)  # graded cold: the twin of the first attack of its mode
    report, spent = measured(with_limits(ch01, **SMALL), HOSTILE / attack, mode)
    print(f"{attack} [{mode}]: {spent['cpu_seconds']:.2f} s of CPU, the twin {clean['cpu_seconds']:.2f} s")
    assert spent["cpu_seconds"] - clean["cpu_seconds"] <= SMALL["total_seconds"] + SMALL["call_seconds"]
    lost = [test for test in report.tests if not test.passed]
    assert [test.name for test in lost if test.task == "add_noise"] != []
    # Checks of the other functions are lost only to the total, which add_noise's children used up.
    total = f"{SMALL['total_seconds']:g} s of CPU time"  # "... it may take in total", "... in total, imports included"
    assert [
        (test.name, test.output)
        for test in lost
        if test.task != "add_noise" and not (total in test.output and "in total" in test.output)
    ] == []
    assert {n for n, ok in passed(report).items() if ok} <= {n for n, ok in passed(twin).items() if ok}
    assert report.metadata["protections"]["in_force"]["control_group"]["cpu_time"] in ("v1", "v2")


@pytest.fixture(scope="module")
def capped_twin(ch01):
    """The reference under HOARD_CAP_MB, cold, measured once per mode (the filter changes no peak of
    the reference's): what the hoard of the mode is set against."""
    twins = {}

    def measure(mode: str):
        if mode not in twins:
            twins[mode] = measured(with_limits(ch01, memory_mb=HOARD_CAP_MB), ch01.solution, mode, PUBLIC)
        return twins[mode]

    return measure


@pytest.mark.slow
@NEEDS_CGROUPS
@pytest.mark.skipif(V1_MEMORY is None, reason="the peak is measured in the v1 memory hierarchy (hybrid machines, CI)")
@pytest.mark.parametrize("seccomp", ["filter", "no filter"])
@pytest.mark.parametrize("mode", MODES)
def test_memory_no_address_space_limit_counts_is_capped(ch01, cold, capped_twin, monkeypatch, mode, seccomp):
    """memfds (or /dev/shm files where the filter refuses memfd_create) hoarded up to 3 GB: the grading's
    peak memory stays within the memory cap (HOARD_CAP_MB here, the course's 1.5 GB in a real grading),
    and the hoarder gets 0 points or its twin's score."""
    if "memory" not in resources_a_group_holds():
        pytest.skip("no memory controller below the grader's cgroup here (v1 or v2)")
    if seccomp == "no filter":
        monkeypatch.setenv("AUTOGRADER_SECCOMP", "0")
    capped = with_limits(ch01, memory_mb=HOARD_CAP_MB)
    cap_mb = capped.limits.memory_mb
    _, clean = capped_twin(mode)  # graded cold, under the filter or not: the twin of the first hoard of its mode
    report, spent = measured(capped, HOSTILE / "memory_hoard.py", mode, PUBLIC)  # it hoards at import
    grown = spent["memory_peak_mb"] - clean["memory_peak_mb"]
    peaks = f"peak {spent['memory_peak_mb']:.0f} MB, the twin's {clean['memory_peak_mb']:.0f} MB"
    print(f"memory_hoard [{mode}, {seccomp}]: {peaks}")
    assert grown <= cap_mb
    if report.score == 0:
        assert "killed by SIGKILL - often the memory limit" in report.output.splitlines()[0]
    else:  # a hoard the namespace's 32 MB /dev/shm stopped: the functions are the reference's
        assert report.score == report.max_score
    assert report.metadata["protections"]["in_force"]["control_group"]["memory"] in ("v1", "v2")


@pytest.mark.slow
@NEEDS_CGROUPS
def test_a_grading_group_is_made_joined_and_removed(ch01):
    """a grading's workers join its group (confirmed from outside), and nothing of the group is left after."""
    report = grade_submission(ch01, ch01.solution, suites=PUBLIC)
    assert report.score == report.max_score
    in_force = report.metadata["protections"]["in_force"]["control_group"]
    held = resources_a_group_holds()
    assert set(in_force) == held and "cpu_time" in held
    missing = [m for m in report.metadata["protections"]["not_in_force"] if m.startswith("control group")]
    assert len(missing) == len({"memory", "pids", "cpu"} - held)
    assert list(cgroups.ROOT.rglob(f"autograder-{os.getpid()}-*")) == []  # this process's gradings' groups


@pytest.mark.slow
def test_without_a_group_the_results_say_what_is_not_counted(ch01, monkeypatch):
    """where no cgroup can be made, results.json lists it as not in force and the old meters grade: full marks."""
    monkeypatch.setattr(cgroups, "_machine_allows", lambda: False)
    report = grade_submission(ch01, ch01.solution, suites=PUBLIC)
    assert report.score == report.max_score
    assert report.metadata["protections"]["in_force"]["control_group"] == {}
    missing = [m for m in report.metadata["protections"]["not_in_force"] if m.startswith("control group")]
    assert [m.split(", so ")[0] for m in missing] == ["control group: none made (not root on Linux)"]


@NEEDS_CGROUPS
@pytest.mark.slow
def test_an_honest_slow_neighbour_keeps_full_marks_beside_thirty_busy_children(ch01, tmp_path):
    """grade-all on 2 processes: a submission keeping 30 children computing beside one whose noise_step
    takes 80% of a call's limit of CPU in one call: the honest one keeps 176, as graded alone."""
    # As 4 s is of the course's 5 s; the short total ends the busy one's grading sooner.
    honest = with_seconds("slow_noise_step.py", 0.8 * SHORT["call_seconds"], tmp_path)
    submissions = {"honest": honest, "hostile": HOSTILE / "thirty_busy_children.py"}
    outcomes = {o.student: o for o in grade_all(with_short_limits(ch01), submissions, jobs=2, progress=False)}
    assert outcomes["honest"].status == "graded", outcomes["honest"].report.output
    report = outcomes["honest"].report
    lost = [t.name + ": " + t.output[:200] for t in report.tests if not t.passed]
    assert lost == []
    assert report.score == report.max_score == 176


@pytest.mark.slow
@NEEDS_CGROUPS
def test_groups_left_by_a_killed_grader_are_removed_by_the_next(ch01):
    """a group named for a grader that no longer runs, with a process still in it: the next grading ends
    the process and removes the group."""
    probe = cgroups.GradingGroup.make(64, 8)
    parent = probe.made[0].parent
    probe.remove()
    dead = 2**22 + 1  # above the largest PID Linux hands out
    stray = parent / f"autograder-{dead}-1"
    sleeper = subprocess.Popen(["sleep", "1000"])
    try:
        # A grading beside this test (another pytest process) removes an empty stray as it should: again.
        for _ in range(100):
            with contextlib.suppress(FileNotFoundError):
                stray.mkdir(exist_ok=True)
                (stray / "cgroup.procs").write_text(str(sleeper.pid))
                break
        grade_submission(ch01, ch01.solution, suites=PUBLIC)
        assert sleeper.wait(timeout=10) == -9
        assert not stray.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
        with contextlib.suppress(OSError):
            stray.rmdir()
