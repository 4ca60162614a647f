"""The student repository: ``python -m autograder release`` (``make release``).

The release is the project minus everything students must not see, built by the
steps below in order, then scanned for leaks. It is built beside the target
folder and moved into place only when the scan finds nothing, so a leaking
release never lands where it could be pushed.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from autograder.channels.release.leaks import scan_release
from autograder.channels.release.steps import (
    WORKFLOW,
    Release,
    copy_assignments,
    copy_engine,
    copy_starter_images,
    write_classroom_workflow,
    write_course_manifest,
    write_gitignore,
    write_lock,
    write_makefile,
    write_pyproject,
    write_readme,
)
from autograder.course import PROJECT_ROOT

DEFAULT_OUT = PROJECT_ROOT / "build" / "release"

STEPS = (
    copy_assignments,
    copy_starter_images,
    copy_engine,
    write_course_manifest,
    write_pyproject,
    write_lock,
    write_makefile,
    write_readme,
    write_gitignore,
    write_classroom_workflow,
)


class LeakFound(Exception):
    """The built release holds something of the reference or the hidden suites."""

    def __init__(self, hits: list[str]):
        super().__init__(f"{len(hits)} leak(s) in the release:\n" + "\n".join(f"  {hit}" for hit in hits))
        self.hits = hits


def build_release(out: Path = DEFAULT_OUT, project: Path = PROJECT_ROOT) -> Release:
    """Build the student repository at ``out``; raise LeakFound (and keep nothing) on any leak."""
    out = Path(out).resolve()
    _check_replaceable(out)
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    release = Release.of(Path(project).resolve(), partial)
    try:
        for step in STEPS:
            step(release)
        hits = scan_release(release)
        if hits:
            raise LeakFound(hits)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)
    return Release(project=release.project, out=out, assignments=release.assignments)


def _check_replaceable(out: Path) -> None:
    """Only an empty folder or an earlier release is replaced, never anything else by mistake."""
    if out.exists() and any(out.iterdir()) and not (out / WORKFLOW).exists():
        raise FileExistsError(f"{out} exists and is not a release built here; choose another --out")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("release", help="build the student repository (no solutions, no hidden checks)")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to build it (default: {DEFAULT_OUT.relative_to(PROJECT_ROOT)})",
    )
    parser.set_defaults(run=run_release)


def run_release(args: argparse.Namespace) -> int:
    try:
        release = build_release(args.out)
    except (LeakFound, FileExistsError) as error:
        print(f"autograder: release not built: {error}")
        return 1
    files = sum(1 for p in release.out.rglob("*") if p.is_file())
    print(f"release: {release.out} ({files} files, scanned: no solution or hidden check in it)")
    return 0
