"""The one grading path: locate, isolate, judge, report.

    grade_submission(assignment, path)  ->  GradeReport

1. ``locate.locate_submission`` finds the student's file (or the reason it gets 0).
2. ``sandbox.open_worker`` gives the proxy (``IsolatedSubmission``) that starts the worker importing it.
3. The assignment's pytest suites run here, in the grader's process, through
   ``plugin.GradingPlugin``; each test calls the worker.
4. ``results`` turns the tests into results.json and the terminal table.

The student release, the notebook channel, the Gradescope bundle and batch
grading all call this function.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import platform
import sys
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import TypeGuard

import numpy as np
import pytest

from autograder import verified
from autograder.collected import SuitesBroken, collected
from autograder.course import PROJECT_ROOT, Assignment
from autograder.imports import import_file
from autograder.locate import Located, locate_submission
from autograder.memo import Memo
from autograder.plugin import BrokenCheck, GradingPlugin, InProcess
from autograder.results import GradeReport
from autograder.sandbox import (
    IsolatedSubmission,
    Sandbox,
    close_to_sandbox_user,
    describe_protections,
    open_worker,
    start_early,
    worker_kind,
)
from autograder.versions import loaded_package_versions

SUITES = ("public", "hidden")
# Reference answers by reference file, kept for the later gradings of this process.
_MEMOS: dict[tuple[str, str], Memo] = {}
_FROZEN: list[bool] = []  # holds True once this process froze its long-lived objects
_TOLD_CLOSED: list[bool] = []  # holds True once this process said which modes it closed


class GraderBroken(Exception):
    """The suites themselves failed to run: an instructor's problem, not the student's."""


class ChecksBroken(GraderBroken):
    """Checks failed by errors of their own (``plugin.BrokenCheck``): no grade may come of them."""

    def __init__(self, broken: Iterable[BrokenCheck]) -> None:
        self.broken = list(broken)
        lines = "\n".join(f"  {check}" for check in self.broken)
        super().__init__(
            f"{len(self.broken)} check(s) raised an error of their own; fix the check (no grade was given):\n{lines}"
        )


class ReferenceShort(GraderBroken):
    """The reference solution does not get full marks on its own suites."""


# Keys (reference and suites) whose reference was seen to get full marks in this process.
_VERIFIED: set[str] = set()


def grade_submission(
    assignment: Assignment,
    submission: Path | Located,
    *,
    suites: Collection[str] = SUITES,
    sandbox: Sandbox | None = None,
    visibility: Mapping[str, str] | None = None,
) -> GradeReport:
    """Grade one submission (a file or a folder holding one) on the given suites.

    ``visibility`` maps a suite name to the Gradescope visibility its checks get
    unless a check sets its own (e.g. ``{"hidden": "after_due_date"}``).
    """
    started = time.perf_counter()
    # A caller that already knows the submission cannot be graded passes its Located.
    located = submission if isinstance(submission, Located) else locate_submission(submission, assignment.filename)
    # Started now, the warm template imports NumPy while this process collects the suites.
    start_early(sandbox)
    reference = load_reference(assignment)
    paths = suite_paths(assignment, suites)
    names = {path: name for name in suites for path in suite_paths(assignment, [name])}
    if reference is not None:
        verify_reference(assignment, reference, paths)
    by_path = {
        path: shown
        for name, shown in (visibility or {}).items()
        for path in suite_paths(assignment, [name])
        if name in suites
    }
    # Leaving this block ends every process of the submission, before anything is written.
    with isolated_submission(assignment, located, sandbox) as student:
        sandbox = student.sandbox
        plugin = GradingPlugin(
            student, InProcess(reference, reference_memo(assignment)) if reference else None, suite_visibility=by_path
        )
        ran = run_pytest(paths, plugin, names)
    _freeze_what_stays_loaded()
    output = located.rejected or student.import_error or ""
    if output:
        output = f"0 points: {output}"
    report = GradeReport(assignment=assignment.id, tests=plugin.results, output=output, sandbox_uid=sandbox.uid)
    report.metadata = {
        "submission": str(located.path) if located.path else None,
        "submission_sha256": _sha256_files([located.path]) if _regular(located.path) else None,
        # The suites that ran (a students' copy has no hidden suite), with how many checks each holds.
        "suites": [name for name in suites if name in ran],
        "checks": ran,
        "suite_sha256": _sha256_files(_suite_files(paths)),
        "pytest": pytest.__version__,
        "seeds": student.seeds_used,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "packages": loaded_package_versions(),
        "platform": sys.platform,
        "protections": describe_protections(student.protections, sandbox, student.survivors),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return report


@contextlib.contextmanager
def isolated_submission(
    assignment: Assignment, located: Located, sandbox: Sandbox | None = None
) -> Iterator[IsolatedSubmission]:
    """The student's file in its own worker, with every protection in force; all of it ends on exit.

    Grading and the figures both call student code through this, and only this.
    """
    if sandbox is None:
        sandbox = Sandbox.for_this_machine(unreadable=[*hidden_paths(assignment), PROJECT_ROOT])
    if sandbox.uid is not None and not sandbox.namespaces:
        # In namespaces the worker's root holds nothing of the project: the checkout stays as it is.
        protect_hidden_files(assignment)
    with open_worker(located.path, assignment.module, assignment.limits, sandbox, located.rejected) as student:
        yield student


def run_pytest(paths: list[Path], plugin: GradingPlugin, names: dict[Path, str] | None = None) -> dict[str, int]:
    """Run the suites in this process, collected once per process; raise GraderBroken if they cannot run.

    Returns how many checks ran from each suite, by its name in ``names`` (default: its path).
    """
    try:
        suites = collected(paths, _sha256_files(_suite_files(paths)))
        suites.run(plugin)
    except SuitesBroken as error:
        raise GraderBroken(str(error)) from None
    if not plugin.results:
        raise GraderBroken("the grading suites ran no check")
    if plugin.broken_checks:
        raise ChecksBroken(plugin.broken_checks)
    return {(names or {}).get(path, str(path)): count for path, count in suites.checks_in(paths).items()}


def verify_reference(assignment: Assignment, reference: ModuleType, paths: list[Path]) -> None:
    """Raise ReferenceShort (or ChecksBroken) unless the reference gets every point of these suites.

    Checked once for each version of the reference, the suites and the engine,
    before any student is graded with them: a check that fails the reference
    would cost every student its points. A passed check is remembered in this
    process and on disk (``autograder/verified.py``).
    """
    key = _sha256_files([assignment.solution_file, *_suite_files(paths)])
    if key in _VERIFIED or not paths:
        return
    sandbox = Sandbox.for_this_machine()
    kind = f"uid={sandbox.uid is not None} namespaces={sandbox.namespaces} workers={worker_kind()}"
    record = verified.verification_key([assignment.solution_file, *_suite_files(paths)], kind)
    if verified.was_verified(record):  # an earlier process graded this very reference on these checks
        _VERIFIED.add(key)
        return
    # The reference takes the student's place on the very path a student's file takes
    # (its own worker), so that what it raises reaches the checks as a student's would.
    state = np.random.get_state()
    try:
        with isolated_submission(assignment, Located(assignment.solution_file)) as itself:
            plugin = GradingPlugin(itself, InProcess(reference, reference_memo(assignment)))
            run_pytest(paths, plugin)
    finally:
        np.random.set_state(state)  # the grading that follows finds this process's generator as it was
    short = [result for result in plugin.results if result.score < result.max_score]
    if short:
        got = sum(r.score for r in plugin.results)
        most = sum(r.max_score for r in plugin.results)
        lines = "\n".join(f"  {r.name}: {r.output.splitlines()[0] if r.output else 'failed'}" for r in short[:10])
        raise ReferenceShort(
            f"the reference {_shown(assignment.solution_file)} gets {got:g} of {most:g} points on its own checks; "
            f"fix the checks or the reference (no grade was given):\n{lines}"
        )
    _VERIFIED.add(key)
    verified.remember_verified(record)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def suite_paths(assignment: Assignment, suites: Collection[str]) -> list[Path]:
    chosen = {"public": assignment.public_tests, "hidden": assignment.hidden_tests}
    unknown = set(suites) - set(chosen)
    if unknown:
        raise ValueError(f"unknown suite(s) {sorted(unknown)}; choose from {sorted(chosen)}")
    # A student's copy of the engine has no hidden suite: it grades what is there.
    return [path for path in (chosen[name] for name in suites) if path is not None and path.exists()]


def _freeze_what_stays_loaded() -> None:
    """After a process's first grading, take what it loaded out of the garbage collector's scans.

    NumPy, pytest and the suites stay loaded for the life of the process; in a
    batch every full collection would rescan them (about 25 ms of each grading).
    This happens once per process, so at most one grading's garbage is kept.
    """
    if not _FROZEN:
        gc.freeze()
        _FROZEN.append(True)


def reference_memo(assignment: Assignment) -> Memo:
    """The memo of this reference's answers, shared by every grading in this process."""
    key = (str(assignment.solution_file), _sha256_files([assignment.solution_file]))
    return _MEMOS.setdefault(key, Memo())


def load_reference(assignment: Assignment) -> ModuleType | None:
    """Import the reference solution under a private name (never the student module's own); None if absent."""
    if assignment.solution is None or not assignment.solution.is_file():
        return None
    return import_file(f"_reference_{assignment.id}", assignment.solution)


def hidden_paths(assignment: Assignment) -> list[Path]:
    paths = [assignment.solution.parent if assignment.solution else None, assignment.hidden_tests]
    return [path for path in paths if path is not None and path.exists()]


def protect_hidden_files(assignment: Assignment) -> list[Path]:
    """As root without namespaces, make the reference, the hidden suites and the project unreadable to others.

    The sandbox user then sees the machine's file system, and the project holds
    more copies of the answers than the reference: its git history, the
    project's own tests, built bundles. Only the folders holding the Python
    libraries the worker imports stay open. This changes the checkout's modes,
    so the paths whose mode changed are returned, and named on stderr by the
    first grading of a process that changes any (a later one finds them closed).
    """
    watched = [*hidden_paths(assignment), PROJECT_ROOT, *PROJECT_ROOT.iterdir()]
    before = {path: _mode(path) for path in watched}
    close_to_sandbox_user(hidden_paths(assignment), PROJECT_ROOT)
    changed = [path for path in watched if _mode(path) != before[path]]
    if changed and not _TOLD_CLOSED:
        _TOLD_CLOSED.append(True)  # later gradings of this process close only what the grader wrote since
        names = ", ".join(_shown(path) if path != PROJECT_ROOT else "the project folder" for path in changed)
        print(
            f"autograder: student code runs as another user without namespaces here, so other users lost "
            f"their access to: {names} (docs/security.md, Running as root)",
            file=sys.stderr,
        )
    return changed


def _mode(path: Path) -> int:
    return os.lstat(path).st_mode


def _regular(path: Path | None) -> TypeGuard[Path]:
    return path is not None and path.is_file() and not path.is_symlink()


def _suite_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def _sha256_files(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(Path(file).read_bytes())
    return digest.hexdigest()
