"""Which references were seen to get full marks on their checks, remembered across processes.

Before any student is graded, ``grade.verify_reference`` grades the reference
itself: a check that fails the reference would cost every student its points.
That doubles the cost of a lone ``make grade``, so a passed verification is
written down in ``build/verified/``, under a key that changes whenever anything
that could change its outcome changes: the reference, the suites, the grading
engine's own code, the course manifest (the limits), the Python, NumPy and
pytest versions, and the kind of sandbox (namespaces or not, root or not).

A record counts only if it is a regular file owned by the user the grader runs
as; student code runs as another user (as root) and cannot write the project.
Deleting ``build/verified/`` makes the next grading verify again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.course import MANIFEST, PROJECT_ROOT

FOLDER = PROJECT_ROOT / "build" / "verified"
ENGINE = Path(__file__).resolve().parent


def verification_key(files: list[Path], sandbox_kind: str) -> str:
    """The key of one verification: every input that could change whether the reference passes."""
    digest = hashlib.sha256()
    engine = sorted(path for path in ENGINE.rglob("*.py") if "__pycache__" not in path.parts)
    for path in [*files, *engine, MANIFEST]:
        digest.update(str(path).encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
        digest.update(b"\0")
    for part in (platform.python_version(), np.__version__, pytest.__version__, sandbox_kind):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def was_verified(key: str) -> bool:
    try:
        info = os.lstat(FOLDER / key)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()


def remember_verified(key: str) -> None:
    """Write the record (atomically); where the project cannot be written, verify again next time."""
    try:
        FOLDER.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=FOLDER, prefix=".record-")
        with os.fdopen(handle, "w") as record:
            record.write("the reference got full marks on these checks\n")
        os.replace(name, FOLDER / key)
    except OSError:
        return
