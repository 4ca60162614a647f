"""Where a submission enters: find the student's file, or say plainly why not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Folders that never hold the student's own work.
SKIPPED_FOLDERS = {".git", ".venv", "venv", "env", "site-packages", "node_modules", "__pycache__",
                   ".ipynb_checkpoints", ".tox", "build", "dist"}


class CannotGrade(Exception):
    """Nothing to grade: no such path, or an ambiguous one. The grader exits non-zero."""


@dataclass(frozen=True)
class Located:
    """The file to grade, or the reason it gets 0 points without running."""

    path: Path | None
    rejected: str | None = None


def locate_submission(given: Path, filename: str) -> Located:
    """Find ``filename`` (``forward.py``) at ``given``: the file itself or a folder holding one."""
    given = Path(given)
    if not given.exists():
        raise CannotGrade(f"no such file or folder: {given}")
    if given.is_dir():
        candidates = sorted(_find(given, filename))
        if len(candidates) > 1:
            listed = ", ".join(str(c.relative_to(given)) for c in candidates[:5])
            raise CannotGrade(f"{given} holds {len(candidates)} files named {filename} ({listed}); "
                              f"pass the one to grade")
        if not candidates:
            notebooks = sorted(_find(given, Path(filename).stem + ".ipynb"))
            if notebooks:
                return Located(notebooks[0], _notebook_reason(notebooks[0], filename))
            raise CannotGrade(f"no {filename} in {given}")
        given = candidates[0]
    return _check_file(given, filename)


def _find(folder: Path, name: str):
    for path in folder.rglob(name):
        parts = set(path.relative_to(folder).parts[:-1])
        if not parts & SKIPPED_FOLDERS and path.is_file():
            yield path


def _check_file(path: Path, filename: str) -> Located:
    if path.suffix == ".ipynb":
        return Located(path, _notebook_reason(path, filename))
    data = path.read_bytes()
    if not data.strip():
        return Located(path, f"{path.name} is empty: there is nothing to grade")
    if b"\0" in data[:4096]:
        return Located(path, f"{path.name} is not a Python source file (it holds binary data)")
    if data.lstrip().startswith(b"{") and b'"cells"' in data[:2000]:
        return Located(path, _notebook_reason(path, filename))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Located(path, f"{path.name} is not UTF-8 text (line {line} has a byte Python cannot "
                             f"read); save it as UTF-8")
    return Located(path)


def _notebook_reason(path: Path, filename: str) -> str:
    return (f"{path.name} is a Jupyter notebook, but this grader takes {filename}; export it "
            f"(File > Save and Export Notebook As > Python) or grade it through nbgrader")
