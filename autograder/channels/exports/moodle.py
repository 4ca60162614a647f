"""Moodle "Download all submissions": ``<Full Name>_<participant id>_assignsubmission_file_`` folders, or
the same prefix before each file's own name.

Moodle's download holds each participant's current submission only, and says
nothing of lateness. Every entry of one participant (their files, or their
folder) is one attempt; online-text entries (``assignsubmission_onlinetext``)
hold no code and are passed over.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from autograder.channels.exports.entries import Attempt, entries_of, mostly

NAME = "moodle"
RULE = "entries named <Full Name>_<participant id>_assignsubmission_file_[<file name>]"
PATTERN = re.compile(r"^(?P<name>.+)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<original>.*)$")


def looks_like(folder: Path) -> bool:
    return mostly(entries_of(folder), lambda entry: PATTERN.match(entry.name) is not None)


def read(folder: Path, skip: Collection[Path] = frozenset()) -> tuple[list[Attempt], list[str]]:
    by_participant: dict[str, list[tuple[Path, str, str]]] = {}
    skipped = []
    for entry in entries_of(folder):
        match = PATTERN.match(entry.name)
        if entry in skip:
            continue
        if match is None:
            skipped.append(f"{entry.name}: not named as Moodle names a participant's entry")
            continue
        if match["plugin"] != "file":
            skipped.append(f"{entry.name}: a Moodle {match['plugin']} entry, not a file submission")
            continue
        original = match["original"] or entry.name
        by_participant.setdefault(match["participant"], []).append((entry, original, match["name"]))
    attempts = [
        Attempt(participant, found[0][2], tuple((entry, original) for entry, original, _ in found))
        for participant, found in sorted(by_participant.items(), key=lambda item: int(item[0]))
    ]
    return attempts, skipped
