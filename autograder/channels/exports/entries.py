"""An attempt: one hand-in of one student, as a platform exported it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Entries beside the students' that are never one: hidden files, archives' and Python's leftovers.
NEVER_STUDENTS = {"__MACOSX", "__pycache__"}


@dataclass(frozen=True)
class Attempt:
    """What one student handed in once.

    ``student`` is the platform's id for the student (the gradebook's key), ``name`` their
    name as the platform wrote it ("" where it writes none). ``files`` are the files handed
    in, by the names the student gave them (``original``), or one folder. ``when`` sorts the
    attempts of a student, oldest first; ``late`` is None where the platform does not say.
    """

    student: str
    name: str
    files: tuple[tuple[Path, str], ...]
    when: str = ""
    late: bool | None = None
    # The platform's own id of this hand-in (Canvas submission id, Gradescope submission), if any.
    ident: str = ""

    @property
    def entry(self) -> Path:
        return self.files[0][0]


def entries_of(folder: Path) -> list[Path]:
    """The entries of an export folder that can be a student's: no hidden ones, no leftovers."""
    return sorted(
        entry for entry in Path(folder).iterdir() if not entry.name.startswith(".") and entry.name not in NEVER_STUDENTS
    )


def safe_id(text: str) -> str:
    """An id made safe as a folder name and a spreadsheet cell."""
    return re.sub(r"[^\w.@-]", "_", text).lstrip("-").strip(".") or "student"


def mostly(entries: list[Path], matches: Callable[[Path], bool]) -> bool:
    """Whether at least half the entries (and at least one) follow a layout's rule."""
    hits = sum(1 for entry in entries if matches(entry))
    return hits > 0 and hits * 2 >= len(entries)
