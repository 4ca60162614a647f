"""Turn an attempt into what ``grade_submission`` takes: the student's file or folder, or the reason there is none.

Files a platform renamed (Canvas's ``<name>_<id>_<id>_`` prefix) are copied into a
folder of the attempt's own under their original names; archives are unpacked
there (``archive.unpack``, with its bounds). A folder is graded where it lies
unless it holds an archive and no module file: then its copy, with the archives
unpacked, is graded. Everything written goes under ``work``, inside OUT.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.channels.exports.archive import ArchiveRefused, is_archive, unpack
from autograder.channels.exports.entries import Attempt, safe_id
from autograder.locate import Located, Walk

# A folder copied to unpack the archives in it: beyond this it is graded as it is.
MAX_COPIED_BYTES = 64 << 20


def stage(attempt: Attempt, filename: str, work: Path, key: str) -> Path | Located:
    """The path to grade for ``attempt`` (staged under ``work/key`` where needed), or a Located with the reason."""
    try:
        return _stage(attempt, filename, work, key)
    except OSError as error:  # a named pipe, a device, an unreadable file: this student's, never the batch's
        named = Path(getattr(error, "filename", None) or attempt.entry).name
        return Located(None, f"{attempt.entry.name} could not be copied to be graded ({named}: {_why(error)})")


def _why(error: OSError) -> str:
    return error.strerror or str(error).split(": ")[0] or type(error).__name__


def _stage(attempt: Attempt, filename: str, work: Path, key: str) -> Path | Located:
    for entry, _ in attempt.files:
        if entry.is_symlink():
            return Located(None, f"{entry.name} is a symbolic link; hand in the folder or file itself")
    if len(attempt.files) == 1:
        entry, original = attempt.files[0]
        if entry.is_dir():
            return _folder(entry, filename, work / safe_id(key))
        if original == entry.name and not is_archive(entry):
            return entry
    return _files(attempt, work / safe_id(key))


def _folder(folder: Path, filename: str, target: Path) -> Path | Located:
    walk = Walk(folder)
    archives = [path for path in walk.files if is_archive(path) and not path.is_symlink()]
    if walk.find(filename) or not archives:
        return folder
    if sum(path.stat().st_size for path in walk.files if not path.is_symlink()) > MAX_COPIED_BYTES:
        return folder
    shutil.copytree(folder, target, symlinks=True)
    for archive in sorted(path for path in target.rglob("*") if is_archive(path) and not path.is_symlink()):
        refused = _unpack_here(archive)
        if refused is not None:
            return refused
    return target


def _files(attempt: Attempt, target: Path) -> Path | Located:
    target.mkdir(parents=True)
    for entry, original in attempt.files:
        name = safe_name(original)
        destination = target / name
        if entry.is_dir():
            shutil.copytree(entry, destination, symlinks=True, dirs_exist_ok=True)
            continue
        if destination.exists():
            destination = target / f"{destination.stem} ({entry.name}){destination.suffix}"
        shutil.copyfile(entry, destination)
        if is_archive(destination):
            refused = _unpack_here(destination)
            if refused is not None:
                return refused
    return target


def _unpack_here(archive: Path) -> Located | None:
    """Unpack ``archive`` beside itself (into a folder of its name) and remove it; the reason if refused."""
    try:
        unpack(archive, archive.with_name(archive.name + ".unpacked"))
    except ArchiveRefused as refused:
        return Located(None, f"the archive {refused}")
    archive.unlink()
    return None


def safe_name(original: str) -> str:
    """A file name as the student gave it, without any folder part (never a path out of the attempt's folder)."""
    name = original.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if name not in ("", ".", "..") else "upload"
