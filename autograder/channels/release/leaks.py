"""Look through a built release for anything of the references or the hidden suites.

Each assignment's secrets are collected on their own and every file is checked
against each; a hit names the file and the assignment whose secret it holds.
A hit is any of:
- a line from a solution region of a reference (``stubs.solution_lines``), except
  the few the assignment's instructions quote on purpose (the pinned API);
- a non-trivial line of a hidden suite file that the public files do not also have;
- a hidden suite's folder or file name, or a reference's path, in a file name or text;
- a reference or hidden key left in the release's course.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from autograder.channels.release.steps import PRIVATE_KEYS, Release
from autograder.course import tomllib
from autograder.stubs import solution_lines

# Shorter lines, and lines that only import or decorate, are too common to mean anything.
MIN_HIDDEN_LINE = 24
COMMON_STARTS = ("#", "import ", "from ", "@", '"""', "'''", "return None", "pass")


@dataclass(frozen=True)
class Secrets:
    """What of one assignment must not appear in a release, and the solution lines its instructions publish."""

    assignment: str
    solution_lines: frozenset[str]
    hidden_lines: frozenset[str]
    names: tuple[re.Pattern, ...]
    quoted: frozenset[str]


def secrets_of(release: Release) -> dict[str, Secrets]:
    """The secrets of each assignment of the release's project, by assignment id."""
    return {assignment.id: _secrets_of(assignment, release) for assignment in release.assignments}


def _secrets_of(assignment, release: Release) -> Secrets:
    lines = set(solution_lines(assignment.solution.read_text(encoding="utf-8")))
    instructions = _text(assignment.folder / "README.md") or ""
    quoted = {line for line in lines if line in instructions}
    names = [
        _path_pattern(assignment.solution, release.project),
        _path_pattern(assignment.solution.parent, release.project),
    ]
    hidden = set()
    if assignment.hidden_tests is not None and assignment.hidden_tests.exists():
        public = _public_lines(assignment)
        names += [_path_pattern(assignment.hidden_tests, release.project), _module_pattern(assignment, release)]
        for file in sorted(assignment.hidden_tests.rglob("*.py")):
            if file.name != "__init__.py":
                names.append(re.compile(rf"(?<![\w.]){re.escape(file.name)}\b"))
            hidden |= {line for line in _stripped_lines(file.read_text(encoding="utf-8")) if _is_telling(line)} - public
    return Secrets(assignment.id, frozenset(lines - quoted), frozenset(hidden), tuple(names), frozenset(quoted))


def scan_release(release: Release, secrets: dict[str, Secrets] | None = None) -> list[str]:
    """Every hit under ``release.out``, as ``path: whose secret was found`` (empty when clean)."""
    secrets = secrets_of(release) if secrets is None else secrets
    hits = []
    for path in sorted(p for p in release.out.rglob("*") if p.is_file()):
        relative = path.relative_to(release.out).as_posix()
        if path.suffix == ".pyc":
            hits.append(f"{relative}: compiled Python (may hold any source)")
        text = _text(path)
        for own in secrets.values():
            hits += _hits_in(relative, text, own)
    hits += _private_manifest_keys(release.out / "course.toml")
    return hits


def _hits_in(relative: str, text: str | None, secrets: Secrets) -> list[str]:
    """What of one assignment's secrets a file's name and text hold."""
    whose = secrets.assignment
    hits = [f"{relative}: its path matches {whose}'s {p.pattern!r}" for p in secrets.names if p.search(relative)]
    if text is None:
        return hits
    hits += [f"{relative}: {whose}'s solution line {line!r}" for line in sorted(secrets.solution_lines) if line in text]
    found = secrets.hidden_lines.intersection(_stripped_lines(text))
    hits += [f"{relative}: {whose}'s hidden suite line {line!r}" for line in sorted(found)]
    hits += [f"{relative}: names {whose}'s {p.pattern!r}" for p in secrets.names if p.search(text)]
    return hits


def _private_manifest_keys(manifest: Path) -> list[str]:
    if not manifest.exists():
        return []
    entries = tomllib.loads(manifest.read_text(encoding="utf-8")).get("assignments", [])
    return [f"course.toml: assignment {e.get('id')} has {key!r}" for e in entries for key in PRIVATE_KEYS if key in e]


def _public_lines(assignment) -> set[str]:
    """Lines the students get anyway (public tests, stubs): not secrets even if a hidden check shares them."""
    lines = set()
    for file in assignment.folder.rglob("*.py"):
        lines |= set(_stripped_lines(file.read_text(encoding="utf-8")))
    return lines


def _is_telling(line: str) -> bool:
    return len(line) >= MIN_HIDDEN_LINE and not line.startswith(COMMON_STARTS)


def _stripped_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _path_pattern(path: Path, project: Path) -> re.Pattern:
    return re.compile(rf"(?<![\w.]){re.escape(path.relative_to(project).as_posix())}\b")


def _module_pattern(assignment, release: Release) -> re.Pattern:
    dotted = ".".join(assignment.hidden_tests.relative_to(release.project).parts)
    return re.compile(rf"(?<![\w.]){re.escape(dotted)}\b")


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError):
        return None
