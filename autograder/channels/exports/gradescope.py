"""Gradescope's "Export Submissions": a folder per submission (``submission_<id>/``) and
``submission_metadata.yml`` at the root naming each submission's submitters.

The metadata is YAML written by Ruby (keys like ``:submitters:``); the few fields
needed (each submitter's name, sid and email, the submission's ``:created_at:``)
are read line by line, without a YAML library. A group submission is graded once
and gives each submitter the grade.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from autograder.channels.exports.entries import Attempt

NAME = "gradescope"
RULE = "submission_<id> folders beside submission_metadata.yml"
METADATA = "submission_metadata.yml"
SUBMISSION = re.compile(r"^(?P<key>submission_\d+):\s*$")
FIELD = re.compile(r"^\s*-?\s*:(?P<field>\w+):\s*(?P<value>.*?)\s*$")


def looks_like(folder: Path) -> bool:
    return (Path(folder) / METADATA).is_file()


def read(folder: Path, skip: Collection[Path] = frozenset()) -> tuple[list[Attempt], list[str]]:
    folder = Path(folder)
    metadata = parse_metadata((folder / METADATA).read_text(encoding="utf-8", errors="replace"))
    attempts, skipped = [], []
    for key, submission in sorted(metadata.items()):
        path = folder / key
        if path in skip:
            continue
        if not submission["submitters"]:
            skipped.append(f"{key}: the metadata names no submitter")
            continue
        for submitter in submission["submitters"]:
            student = submitter.get("sid") or submitter.get("email") or submitter.get("name") or key
            files = ((path, key),)
            attempts.append(Attempt(student, submitter.get("name", ""), files, submission["created_at"], None, key))
    listed = set(metadata)
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and entry.name.startswith("submission_") and entry.name not in listed:
            skipped.append(f"{entry.name}: not in {METADATA}, so whose it is is unknown")
    return attempts, skipped


def parse_metadata(text: str) -> dict[str, dict[str, Any]]:
    """submission key -> {"submitters": [{name, sid, email}], "created_at": str}."""
    found: dict[str, dict[str, Any]] = {}
    current = None
    for line in text.splitlines():
        start = SUBMISSION.match(line)
        if start:
            current = found.setdefault(start["key"], {"submitters": [], "created_at": ""})
            continue
        field = FIELD.match(line)
        if current is None or field is None:
            continue
        value = field["value"].strip("'\"")
        if field["field"] == "created_at":
            # The first one is the submission's own; later ones belong to its history.
            current["created_at"] = current["created_at"] or value
        elif field["field"] in ("name", "sid", "email"):
            if line.lstrip().startswith("-") or not current["submitters"]:
                current["submitters"].append({})
            current["submitters"][-1][field["field"]] = value
    return found
