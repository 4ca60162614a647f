"""GitHub Classroom's student repositories, cloned side by side: ``<assignment>-<username>/``, each a git repository.

The assignment prefix is the longest one shared by the folders' names up to a ``-``;
the rest of each name is the student's GitHub username.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from autograder.channels.exports.entries import Attempt, entries_of, mostly

NAME = "classroom"
RULE = "git repositories named <assignment>-<username>"


def _is_repository(entry: Path) -> bool:
    return entry.is_dir() and not entry.is_symlink() and (entry / ".git").exists()


def looks_like(folder: Path) -> bool:
    entries = entries_of(folder)
    return mostly(entries, _is_repository) and bool(_prefix([e.name for e in entries if _is_repository(e)]))


def _prefix(names: list[str]) -> str:
    """The assignment's prefix: the longest shared start of the names that ends in ``-``."""
    if len(names) < 2:
        return names[0].rsplit("-", 1)[0] + "-" if names and "-" in names[0] else ""
    common = os.path.commonprefix(names)  # noqa: RUF071 - names, not paths: a shared start of characters is meant
    return common[: common.rfind("-") + 1] if "-" in common else ""


def read(folder: Path, skip: Collection[Path] = frozenset()) -> tuple[list[Attempt], list[str]]:
    entries = [entry for entry in entries_of(folder) if entry not in skip]
    prefix = _prefix([entry.name for entry in entries if _is_repository(entry)])
    attempts, skipped = [], []
    for entry in entries:
        if not _is_repository(entry) or not entry.name.startswith(prefix) or entry.name == prefix:
            skipped.append(f"{entry.name}: not a student repository named {prefix}<username>")
            continue
        attempts.append(Attempt(entry.name[len(prefix) :], "", ((entry, entry.name),)))
    return attempts, skipped
