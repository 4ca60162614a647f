"""Where a submission enters: find the student's file, or say plainly why not."""

from __future__ import annotations

import io
import json
import os
import tokenize
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

# A source file larger than this is not a submission (and is not read whole).
MAX_SOURCE_BYTES = 2 << 20
# How much of a submitted folder is searched: a student can make a tree of any
# depth and size (or a loop of links), and the search must end, quickly.
MAX_DEPTH = 32
MAX_ENTRIES = 50_000
# Folders that never hold the student's own work.
SKIPPED_FOLDERS = {
    ".git",
    ".venv",
    "venv",
    "env",
    "site-packages",
    "node_modules",
    "__pycache__",
    ".ipynb_checkpoints",
    ".tox",
    "build",
    "dist",
}


class CannotGrade(Exception):
    """Nothing to grade: the path given does not exist. The grader exits non-zero."""


@dataclass(frozen=True)
class Located:
    """The file to grade, or the reason it gets 0 points without running."""

    path: Path | None
    rejected: str | None = None


def locate_submission(given: Path, filename: str) -> Located:
    """Find ``filename`` (the assignment's module file) at ``given``: the file itself or a folder holding one.

    A folder without exactly one candidate is the student's to fix, so it gets
    0 points with the reason; only a path that does not exist at all stops the
    grader (``CannotGrade``).
    """
    given = Path(given)
    try:
        present = given.exists() or given.is_symlink()
    except OSError as error:  # a name too long, a folder on the way that cannot be entered
        raise CannotGrade(f"cannot look at {given}: {error.strerror}") from None
    if not present:
        raise CannotGrade(f"no such file or folder: {given}")
    if given.is_dir():
        given = given.resolve()  # the folder given by whoever runs the grader may be a link
        walk = Walk(given)
        candidates = sorted(walk.find(filename))
        if len(candidates) > 1:
            listed = ", ".join(str(c.relative_to(given)) for c in candidates[:5])
            return Located(
                None,
                f"the submission holds {len(candidates)} files named {filename} ({listed}); keep only the one to grade",
            )
        if not candidates:
            notebooks = sorted(walk.find(Path(filename).stem + ".ipynb"))
            if notebooks:
                return Located(notebooks[0], _notebook_reason(notebooks[0], filename))
            return Located(None, f"the submission holds no file named {filename}{walk.cut_short()}")
        if not _inside(candidates[0], given):
            return Located(
                None,
                f"{candidates[0].relative_to(given)} lies outside the submission "
                f"(through a link); submit the file itself",
            )
        given = candidates[0]
    return _check_file(given, filename)


class Walk:
    """The files of a submitted folder, breadth first, within MAX_DEPTH and MAX_ENTRIES; never raises.

    Links to folders are not entered (no loops, nothing outside the submission),
    folders named in ``skipped`` (SKIPPED_FOLDERS) neither, and folders that
    cannot be read are passed over. ``cut_short`` says what was left unsearched.
    """

    def __init__(self, folder: Path, skipped: Collection[str] = frozenset(SKIPPED_FOLDERS)) -> None:
        self.folder = folder
        self.skipped = skipped
        self.files: list[Path] = []
        self.too_deep = self.too_many = False
        self._walk()

    def find(self, name: str) -> list[Path]:
        return [path for path in self.files if path.name == name]

    def cut_short(self) -> str:
        """A clause for a reason: how the search was bounded, or "" if it saw everything."""
        if self.too_many:
            return f" among the first {MAX_ENTRIES} entries searched (the folder holds more)"
        if self.too_deep:
            return f" within {MAX_DEPTH} folder levels (the folder goes deeper and was not searched further)"
        return ""

    def _walk(self) -> None:
        seen = 0
        queue = deque([(self.folder, 0)])
        while queue:
            folder, depth = queue.popleft()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        seen += 1
                        if seen > MAX_ENTRIES:
                            self.too_many = True
                            return
                        self._visit(entry, depth, queue)
            except (OSError, ValueError):  # unreadable, vanished, a name too long for the system
                continue

    def _visit(self, entry: os.DirEntry[str], depth: int, queue: deque[tuple[Path, int]]) -> None:
        if entry.is_dir(follow_symlinks=False):
            if entry.name in self.skipped:
                return
            if depth + 1 >= MAX_DEPTH:
                self.too_deep = True
            else:
                queue.append((Path(entry.path), depth + 1))
        elif entry.is_file(follow_symlinks=False) or entry.is_symlink():
            self.files.append(Path(entry.path))


def _inside(path: Path, folder: Path) -> bool:
    try:
        return folder.resolve() in path.resolve().parents
    except (OSError, RuntimeError):  # a loop of links leads nowhere inside
        return False


def _check_file(path: Path, filename: str) -> Located:  # noqa: PLR0911 - one return per reason
    # The grader reads the file as root: a link could point at the reference.
    # Such files are never read, hashed or copied (path None).
    if path.is_symlink():
        return Located(None, f"{path.name} is a symbolic link; submit the file itself")
    if not path.is_file():
        return Located(None, f"{path.name} is not a regular file")
    if path.suffix == ".ipynb":
        return Located(path, _notebook_reason(path, filename))
    try:
        size = path.stat().st_size
        data = b"" if size > MAX_SOURCE_BYTES else path.read_bytes()
    except OSError as error:
        return Located(None, f"{path.name} cannot be read ({error.strerror})")
    if size > MAX_SOURCE_BYTES:
        return Located(
            None, f"{path.name} is {size / 2**20:.1f} MB; a source file over {MAX_SOURCE_BYTES >> 20} MB is not graded"
        )
    if not data.strip():
        return Located(path, f"{path.name} is empty: there is nothing to grade")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Located(path, f"{path.name} is saved as UTF-16 text; save it as UTF-8")
    if b"\0" in data[:4096]:
        return Located(path, f"{path.name} is not a Python source file (it holds binary data)")
    if _is_notebook(data):
        return Located(path, _notebook_reason(path, filename))
    # As Python reads a source file: UTF-8 unless its first two lines declare another
    # encoding (PEP 263, "# -*- coding: latin-1 -*-").
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "unknown encoding" in str(error):
            return Located(path, f"{path.name} cannot be read as Python source ({error}); save it as UTF-8")
        encoding = "utf-8"  # no declaration, and the first lines are not UTF-8: said below
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        named = "UTF-8" if encoding.startswith("utf-8") else encoding
        return Located(
            path, f"{path.name} is not {named} text (line {line} has a byte Python cannot read); save it as UTF-8"
        )
    return Located(path)


def _is_notebook(data: bytes) -> bool:
    """A notebook's JSON (a mapping with a list of cells), never Python that happens to start with ``{``."""
    if not data.lstrip().startswith(b"{") or b'"cells"' not in data:
        return False
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError):
        return False
    return isinstance(notebook, dict) and isinstance(notebook.get("cells"), list)


def _notebook_reason(path: Path, filename: str) -> str:
    return (
        f"{path.name} is a Jupyter notebook, but this grader takes {filename}; export it "
        f"(File > Save and Export Notebook As > Python) or grade it through nbgrader"
    )


# Left in zips made on macOS beside each file: resource forks, never the student's code.
ARCHIVE_LEFTOVERS = {"__MACOSX"}


def uploaded_files(folder: Path) -> list[Path]:
    """Every file of an upload, relative to it, outside the folders that never hold the student's work."""
    folder = Path(folder)
    walk = Walk(folder, skipped=SKIPPED_FOLDERS | ARCHIVE_LEFTOVERS)
    return sorted(path.relative_to(folder) for path in walk.files if not path.name.startswith("._"))


def lone_python_file(folder: Path, filename: str) -> Path | None:
    """The upload's only Python file when none is named ``filename`` (``solution (1).py``,
    ``Solution.py``, ``solution_final.py``): the file a student meant, whatever the browser
    or the student called it. None when a file has the right name, or there are several."""
    folder = Path(folder)
    if not folder.is_dir() or Walk(folder).find(filename):
        return None
    python = [path for path in uploaded_files(folder) if path.suffix.lower() == ".py"]
    return folder / python[0] if len(python) == 1 else None


def lone_file_note(filename: str, graded: str) -> str:
    """What the student is told when ``graded`` (``lone_python_file``'s pick) was graded as ``filename``."""
    return (
        f"Note: your upload has no file named {filename}, so its only Python file, "
        f"{graded}, was graded as {filename}. Name it {filename} next time."
    )
