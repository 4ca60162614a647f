"""Canvas "Download Submissions": ``<name>_[LATE_]<user id>_<submission id>_<original name>``, all in one folder.

A file the student uploaded again under the same name is renamed by Canvas with
``-1``, ``-2`` before its suffix (``forward-1.py``): each number is a later upload,
so each is an attempt, and it is graded under its original name.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from autograder.channels.exports.entries import Attempt, entries_of, mostly

NAME = "canvas"
RULE = "files named <name>_[LATE_]<user id>_<submission id>_<file name>"
PATTERN = re.compile(r"^(?P<name>[^_]+)_(?P<late>LATE_)?(?P<user>\d+)_(?P<submission>\d+)_(?P<original>.+)$")
REUPLOAD = re.compile(r"^(?P<stem>.+)-(?P<number>\d+)(?P<suffix>\.[^.]+)$")


def looks_like(folder: Path) -> bool:
    return mostly(entries_of(folder), lambda entry: PATTERN.match(entry.name) is not None)


def read(folder: Path, skip: Collection[Path] = frozenset()) -> tuple[list[Attempt], list[str]]:
    files: dict[tuple[str, str], list[tuple[Path, re.Match[str]]]] = {}
    skipped = []
    for entry in entries_of(folder):
        match = PATTERN.match(entry.name)
        if entry in skip:
            continue
        if match is None:
            skipped.append(f"{entry.name}: not named as Canvas names a student's file")
            continue
        files.setdefault((match["user"], match["submission"]), []).append((entry, match))
    attempts = []
    for (user, submission), found in sorted(files.items(), key=lambda item: (item[0][0], int(item[0][1]))):
        attempts += _versions(user, submission, found)
    return attempts, skipped


def _versions(user: str, submission: str, found: list[tuple[Path, re.Match[str]]]) -> list[Attempt]:
    """One attempt per upload number: for each file name, its newest upload up to that number."""
    by_name: dict[str, dict[int, tuple[Path, bool]]] = {}
    for entry, match in found:
        original, number = _original(match["original"])
        by_name.setdefault(original, {})[number] = (entry, bool(match["late"]))
    numbers = sorted({number for versions in by_name.values() for number in versions})
    name = found[0][1]["name"]
    attempts = []
    for number in numbers:
        chosen = []
        for original, versions in sorted(by_name.items()):
            upto = [n for n in versions if n <= number]
            if upto:
                chosen.append((versions[max(upto)], original))
        files = tuple((entry, original) for (entry, _), original in chosen)
        late = any(late for (_, late), _ in chosen)
        attempts.append(Attempt(user, name, files, f"{int(submission):012d}-{number:04d}", late, submission))
    return attempts


def _original(name: str) -> tuple[str, int]:
    """The file's own name and its upload number (0 for the first upload)."""
    match = REUPLOAD.match(name)
    if match is None:
        return name, 0
    return match["stem"] + match["suffix"], int(match["number"])
