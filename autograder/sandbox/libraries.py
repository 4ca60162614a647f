"""What student code may import, and where the worker finds it.

Grader side. Student code may import Python's standard library, NumPy and,
when the submission mentions it, Matplotlib (with the packages it needs);
nothing else of the grader's environment. These live wherever Python was
installed, often in folders the sandbox user cannot enter (pyenv under a
``0700`` home, a virtualenv inside a ``0700`` temporary folder). The worker
reaches them either through a mount namespace (``namespaces.py`` binds these
trees read-only) or, without one, through a root-owned mirror that holds only
these trees and that every user may read (``readable_mirror``), so nothing
else of the machine becomes readable.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import os
import re
import shutil
import stat
import sys
import sysconfig
import tempfile
from pathlib import Path

from autograder.sandbox.account import remove_tree

PROJECT = Path(__file__).resolve().parent.parent
# Third-party distributions student code may import; Matplotlib only when mentioned.
ALWAYS = ("numpy",)
PLOTTING = ("matplotlib",)
# Parts of the standard library's folder that are not modules a submission imports.
NOT_STDLIB = ("site-packages", "dist-packages", "test", "config-*", "__phello__")


def library_paths() -> list[str]:
    """The folders that hold NumPy (and Matplotlib), without the project."""
    numpy = _origin("numpy")
    paths = [str(Path(numpy).parent.parent)] if numpy else []
    matplotlib = _origin("matplotlib")
    if matplotlib:
        paths.append(str(Path(matplotlib).parent.parent))
    return [p for p in dict.fromkeys(paths) if p != str(PROJECT.parent)]


def stdlib_folders() -> list[str]:
    """The standard library's folders (pure Python and compiled), as found by this interpreter."""
    paths = sysconfig.get_paths()
    folders = [paths["stdlib"], paths["platstdlib"], os.path.join(paths["platstdlib"], "lib-dynload")]
    found: list[str] = []
    for folder in dict.fromkeys(str(Path(f).resolve()) for f in folders if os.path.isdir(f)):
        if not any(Path(folder).is_relative_to(other) for other in found):
            found.append(folder)
    return found


def distributions(plotting: bool) -> list[str]:
    """The distributions student code may import: NumPy, and with ``plotting`` Matplotlib's closure."""
    wanted, seen = list(ALWAYS + (PLOTTING if plotting else ())), []
    while wanted:
        name = _canonical(wanted.pop())
        if name in seen:
            continue
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.append(name)
        wanted += [m.group(0) for r in requires if "extra ==" not in r and (m := re.match(r"[A-Za-z0-9._-]+", r))]
    return seen


def site_entries(plotting: bool) -> dict[str, str]:
    """Top-level entries of site-packages those distributions install: name -> real path."""
    entries: dict[str, str] = {}
    for name in distributions(plotting):
        dist = importlib.metadata.distribution(name)
        for top in _top_entries(dist):
            if top in ("..", "/", "") or top.endswith(".pth") or top == "__pycache__":
                continue
            path = Path(str(dist.locate_file(top))).resolve()
            if path.exists() and PROJECT not in (path, *path.parents):
                entries.setdefault(top, str(path))
    return entries


def _top_entries(dist) -> list[str]:
    """The first part of every path ``dist`` installed, each once, in the order listed.

    Read from the RECORD text where there is one: NumPy lists about 1,500 files,
    and making a path object of each costs a tenth of a second.
    """
    record = dist.read_text("RECORD")
    if record is None:
        return list(dict.fromkeys(file.parts[0] for file in dist.files or [] if file.parts))
    lines = (line.rsplit(",", 2)[0] for line in record.splitlines() if line)
    return list(dict.fromkeys(line.strip('"').replace("\\", "/").split("/", 1)[0] for line in lines))


def open_to_others(path: str) -> bool:
    """Whether a user with no groups may enter every folder on the way to ``path`` and read it."""
    current = Path(path).resolve()
    for folder in (current, *current.parents):
        try:
            mode = os.stat(folder).st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH or (folder == current and not mode & stat.S_IROTH):
            return False
    return True


def readable_mirror(stdlib: list[str], entries: dict[str, str]) -> tuple[list[list[str]], dict[str, str]] | None:
    """Where the sandbox user can read the standard library and ``entries``, copied if need be.

    Returns ``(moved, entries)``: ``moved`` pairs each standard-library folder
    the sandbox user cannot reach with its copy, and ``entries`` maps each
    site-packages entry to a path it can read. Copies are hard links where
    the file system allows (else copies), made once per installation in a
    folder owned by root, read-only to everyone else. None where no such folder can be made.
    """
    far_stdlib = [folder for folder in stdlib if not open_to_others(folder)]
    far_entries = {name: path for name, path in entries.items() if not open_to_others(path)}
    if not far_stdlib and not far_entries:
        return [], entries
    base = _mirror_base()
    if base is None:
        return None
    key = hashlib.sha256(repr((sys.version, far_stdlib, sorted(far_entries.items()))).encode())
    for path in [*far_stdlib, *far_entries.values()]:
        with contextlib.suppress(OSError):
            key.update(str(os.stat(path).st_mtime_ns).encode())
    mirror = base / key.hexdigest()[:20]
    if not mirror.is_dir():
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=base))
        try:
            os.chmod(building, 0o755)
            for i, folder in enumerate(far_stdlib):
                shutil.copytree(
                    folder,
                    building / f"stdlib{i}",
                    symlinks=True,
                    ignore=lambda inside, names, top=folder: _not_stdlib(names) if inside == top else [],
                    copy_function=_link_or_copy,
                )
            for name, path in far_entries.items():
                if os.path.isdir(path):
                    shutil.copytree(path, building / "site" / name, symlinks=True, copy_function=_link_or_copy)
                else:
                    (building / "site").mkdir(exist_ok=True)
                    _link_or_copy(path, building / "site" / name)
            os.rename(building, mirror)
        except OSError:
            if not mirror.is_dir():
                remove_tree(building)
                return None
        finally:
            remove_tree(building)
    moved = [[folder, str(mirror / f"stdlib{i}")] for i, folder in enumerate(far_stdlib)]
    reachable = {name: str(mirror / "site" / name) if name in far_entries else path for name, path in entries.items()}
    return moved, reachable


def _mirror_base() -> Path | None:
    """A folder owned by root that nobody else can write, shared by every grading on the machine."""
    for base in (Path("/var/cache/autograder-libraries"), Path(tempfile.gettempdir()) / "autograder-libraries"):
        try:
            base.mkdir(mode=0o755, exist_ok=True)
            info = os.lstat(base)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() == 0 and not info.st_mode & 0o022:
            os.chmod(base, 0o755)
            return base
    return None


def _not_stdlib(names):
    return [n for n in names if any(Path(n).match(pattern) for pattern in NOT_STDLIB)]


def _link_or_copy(source, target):
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)
    return target


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _origin(name: str) -> str | None:
    """Where a module lives, found without importing it (Matplotlib takes a tenth of a second to load)."""
    spec = importlib.util.find_spec(name)
    return spec.origin if spec is not None and spec.origin else None
