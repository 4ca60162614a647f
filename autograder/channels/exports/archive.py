"""Unpack a zip or tar that a student (or a platform) handed in, safely, or say why not.

Nothing in an archive is trusted: every entry's name is checked before anything is
written (no absolute path, no ``..``, nothing that would land outside the folder
unpacked into), links and devices are refused rather than followed or made, and
the bytes written are counted as they are written, so a header that lies about
sizes gains nothing. Bounds: the total unpacked size, the number of entries, how
much an entry may expand over its compressed size, how deep its folders go, and
how many archives inside archives are opened. A refused archive leaves nothing
behind: the folder it was being unpacked into is removed, and the reason is
returned to be shown in the student's row.
"""

from __future__ import annotations

import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

CHUNK = 1 << 16
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


@dataclass(frozen=True)
class Bounds:
    """How much one archive may unpack to."""

    total_bytes: int = 64 << 20
    entries: int = 5_000
    # Source code compresses about 4 to 10 times; 200 leaves room and stops a zip bomb's millions.
    ratio: int = 200
    depth: int = 24
    nesting: int = 2  # archives inside archives opened, beyond the first; -1: left as files


STUDENT = Bounds()
# A whole class's export: many students, each within STUDENT when their own archive is opened.
# The students' own archives inside it are left as files, for each student's attempt to open.
EXPORT = Bounds(total_bytes=4 << 30, entries=200_000, ratio=200, depth=32, nesting=-1)


class ArchiveRefused(ValueError):
    """The archive was not unpacked (an attack, a bound passed, or unreadable); the message says which."""


def is_archive(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(suffix) for suffix in ARCHIVE_SUFFIXES)


def unpack(archive: Path, into: Path, bounds: Bounds = STUDENT) -> Path:
    """Unpack ``archive`` into the new folder ``into`` (its parent must exist); archives inside are opened
    in place up to ``bounds.nesting`` levels. Raise ``ArchiveRefused`` and leave no ``into`` behind."""
    into.mkdir()
    try:
        _unpack_one(archive, into, bounds, _Budget(bounds))
        if bounds.nesting >= 0:
            _unpack_nested(into, bounds, level=1)
    except ArchiveRefused:
        shutil.rmtree(into, ignore_errors=True)
        raise
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, ValueError, RuntimeError) as error:
        shutil.rmtree(into, ignore_errors=True)
        raise ArchiveRefused(f"{archive.name} cannot be read as an archive ({type(error).__name__}: {error})") from None
    return into


class _Budget:
    """What is left of the bounds while one archive (with its nested ones) is unpacked."""

    def __init__(self, bounds: Bounds):
        self.bytes = bounds.total_bytes
        self.entries = bounds.entries

    def entry(self, archive: Path) -> None:
        self.entries -= 1
        if self.entries < 0:
            raise ArchiveRefused(f"{archive.name} holds too many entries (more than the bound of entries)")

    def spend(self, archive: Path, amount: int, bounds: Bounds) -> None:
        self.bytes -= amount
        if self.bytes < 0:
            raise ArchiveRefused(
                f"{archive.name} unpacks to more than {bounds.total_bytes >> 20} MB; hand in the source files only"
            )


def _unpack_nested(folder: Path, bounds: Bounds, level: int) -> None:
    inner = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and is_archive(p))
    for archive in inner:
        if level > bounds.nesting:
            raise ArchiveRefused(
                f"{archive.name} is an archive inside an archive {level} levels deep; unpack it and hand in the files"
            )
        target = archive.with_name(archive.name + ".unpacked")
        target.mkdir()
        _unpack_one(archive, target, bounds, _Budget(bounds))
        archive.unlink()
        _unpack_nested(target, bounds, level + 1)


def _unpack_one(archive: Path, into: Path, bounds: Bounds, budget: _Budget) -> None:
    if zipfile.is_zipfile(archive):
        _unzip(archive, into, bounds, budget)
    elif tarfile.is_tarfile(archive):
        _untar(archive, into, bounds, budget)
    else:
        raise ArchiveRefused(f"{archive.name} is named like an archive but is neither a zip nor a tar")


def _target(archive: Path, name: str, into: Path, bounds: Bounds) -> Path | None:
    """Where entry ``name`` goes inside ``into``, or None for an entry to skip (a folder, macOS leftovers)."""
    cleaned = name.replace("\\", "/")
    parts = PurePosixPath(cleaned).parts
    if cleaned.startswith("/") or (parts and ":" in parts[0]) or ".." in parts:
        raise ArchiveRefused(f"{archive.name} holds an entry that points outside it ({name!r}); it was not unpacked")
    parts = tuple(part for part in parts if part not in ("", "."))
    if len(parts) > bounds.depth:
        raise ArchiveRefused(f"{archive.name} nests folders more than {bounds.depth} levels deep")
    if not parts or parts[0] == "__MACOSX" or parts[-1].startswith("._"):
        return None
    target = into.joinpath(*parts)
    if into.resolve() not in target.resolve().parents:
        raise ArchiveRefused(f"{archive.name} holds an entry that points outside it ({name!r}); it was not unpacked")
    return target


def _unzip(archive: Path, into: Path, bounds: Bounds, budget: _Budget) -> None:
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            budget.entry(archive)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ArchiveRefused(f"{archive.name} holds a link ({info.filename!r}); links are not unpacked")
            target = _target(archive, info.filename, into, bounds)
            if target is None or info.is_dir():
                continue
            if info.file_size > bounds.ratio * max(info.compress_size, 1) + CHUNK:
                raise ArchiveRefused(
                    f"{archive.name} expands {info.filename!r} more than {bounds.ratio} times (a zip bomb); "
                    f"not unpacked"
                )
            with opened.open(info) as source:
                _write(archive, source, target, bounds, budget, limit=bounds.ratio * max(info.compress_size, 1) + CHUNK)


def _untar(archive: Path, into: Path, bounds: Bounds, budget: _Budget) -> None:
    # The whole tar may be compressed: its own size is what the ratio is measured against.
    limit = bounds.ratio * max(archive.stat().st_size, 1) + CHUNK
    with tarfile.open(archive, "r:*") as opened:
        for member in opened:
            budget.entry(archive)
            if member.issym() or member.islnk():
                raise ArchiveRefused(f"{archive.name} holds a link ({member.name!r}); links are not unpacked")
            if not (member.isfile() or member.isdir()):
                raise ArchiveRefused(f"{archive.name} holds a special file ({member.name!r}); it was not unpacked")
            target = _target(archive, member.name, into, bounds)
            try:
                # Python's own rules for unpacking untrusted tars, on top of the checks above.
                tarfile.data_filter(member, str(into))
            except tarfile.FilterError as error:
                raise ArchiveRefused(f"{archive.name} was refused: {error}") from None
            if target is None or member.isdir():
                continue
            source = opened.extractfile(member)
            if source is None:
                continue
            with source:
                _write(archive, source, target, bounds, budget, limit=limit)
                limit -= target.stat().st_size


def _write(archive: Path, source: IO[bytes], target: Path, bounds: Bounds, budget: _Budget, limit: int) -> None:
    """Copy ``source`` to ``target`` (a new regular file), counting every byte against the bounds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        raise ArchiveRefused(f"{archive.name} holds {target.name} twice; it was not unpacked")
    written = 0
    with open(target, "xb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            budget.spend(archive, len(chunk), bounds)
            if written > limit:
                raise ArchiveRefused(
                    f"{archive.name} expands more than {bounds.ratio} times its compressed size (a zip bomb); "
                    f"not unpacked"
                )
            out.write(chunk)
