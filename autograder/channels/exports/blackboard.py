"""Blackboard Learn's "Assignment File Download":
``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file name>``, with one receipt
``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>.txt`` per attempt.

Each date is an attempt. The receipt's ``Name:`` line gives the student's name.
The username is the last ``_``-separated word before ``_attempt_``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from autograder.channels.exports.entries import Attempt, entries_of, mostly

NAME = "blackboard"
RULE = "files named <assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>[_<file name>]"
PATTERN = re.compile(
    r"^(?P<assignment>.*)_(?P<user>[^_]+)_attempt_(?P<when>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})"
    r"(?P<late>_LATE)?(?:_(?P<original>.+)|\.txt)$"
)
NAME_LINE = re.compile(r"^Name:\s*(?P<name>.+?)\s*(?:\((?P<user>[^)]*)\))?\s*$", re.MULTILINE)


def looks_like(folder: Path) -> bool:
    return mostly(entries_of(folder), lambda entry: PATTERN.match(entry.name) is not None)


def read(folder: Path, skip: Collection[Path] = frozenset()) -> tuple[list[Attempt], list[str]]:
    attempts: dict[tuple[str, str], dict[str, Any]] = {}
    skipped = []
    for entry in entries_of(folder):
        match = PATTERN.match(entry.name)
        if entry in skip:
            continue
        if match is None:
            skipped.append(f"{entry.name}: not named as Blackboard names an attempt's file")
            continue
        attempt = attempts.setdefault((match["user"], match["when"]), {"files": [], "name": "", "late": False})
        attempt["late"] |= bool(match["late"])
        if match["original"] is None:
            attempt["name"] = _receipt_name(entry)
        else:
            attempt["files"].append((entry, match["original"]))
    found = []
    for (user, when), attempt in sorted(attempts.items()):
        if attempt["files"]:
            found.append(Attempt(user, attempt["name"], tuple(attempt["files"]), when, attempt["late"]))
        else:
            skipped.append(f"{user}'s attempt of {when}: a receipt without files (nothing was handed in)")
    return found, skipped


def _receipt_name(receipt: Path) -> str:
    try:
        text = receipt.read_text(encoding="utf-8", errors="replace")[:20_000]
    except OSError:
        return ""
    match = NAME_LINE.search(text)
    return match["name"] if match else ""
