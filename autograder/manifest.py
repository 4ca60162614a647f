"""The schema of course.toml, and its check: every key known, present, of its type, every path there.

``validate(data, manifest)`` raises ``ManifestError`` with one line that names
the file, the assignment (and task) and the key, e.g.

    course.toml: assignment ch02_example: unknown key 'hiden_tests' (did you mean 'hidden_tests'?)

The schema below is the one description of the manifest; docs/authoring.md
explains each key, and ``describe()`` prints the schema with the defaults of
the limits.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, fields
from pathlib import Path

from autograder.runner import Limits

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class CourseError(Exception):
    """The course as written cannot be used (its manifest, or a file it names); the message says why in one line."""


class ManifestError(CourseError):
    """course.toml does not follow its schema; the message is one line naming the file, the place and the key."""


@dataclass(frozen=True)
class Key:
    """One key of the manifest: its name, its kind, whether it must be there, and what it means."""

    name: str
    kind: str  # text | identifier | number | texts | file | folder | path | files | table | tables
    required: bool = False
    doc: str = ""
    keys: tuple[Key, ...] = ()  # the keys of a table, or of each table of a list of tables


LIMIT_DOCS = {
    "call_seconds": "wall-clock seconds one call may take",
    "import_seconds": "seconds importing the student's module may take",
    "memory_mb": "address space of the student's process, in MB",
    "cpu_seconds": "CPU seconds of the student's process",
    "file_mb": "largest file the student's code may write, in MB",
    "processes": "processes the student's code may run at once",
    "output_bytes": "printed output kept per check",
    "reply_mb": "largest answer one call may send back, in MB",
    "total_seconds": "seconds all the student's code may take over one grading",
    "function_seconds": "seconds all calls of one function may take",
}
LIMITS = tuple(
    Key(f.name, "number", doc=f"{LIMIT_DOCS.get(f.name, f.name)} (default {f.default:g})") for f in fields(Limits)
)
TASK = (
    Key("name", "identifier", True, "the function the student writes; a def of that name is in the solution"),
    Key("todo", "text", True, "what the stub's TODO asks for (what, never how)"),
    Key("hints", "texts", doc="hints from gentle to strong, shown one at a time by `make hint`"),
)
NOTEBOOK = (
    Key("readme_sections", "texts", doc="titles of README sections the notebook's introduction shows"),
    Key("closing", "file", doc="markdown after the tasks; its ```python blocks become code cells"),
    Key("files", "files", doc="files copied beside the notebook (what the closing cells open)"),
)
ASSIGNMENT = (
    Key("id", "identifier", True, "the assignment's name in every command (ASSIGNMENT=<id>)"),
    Key("title", "text", True, "shown in the README, the notebook and the results"),
    Key("module", "identifier", True, "the file students edit is <module>.py"),
    Key("folder", "folder", True, "what students get: README.md, test_<module>.py, the stub"),
    Key("solution", "file", doc="the reference, with BEGIN/END SOLUTION regions (not in the students' copy)"),
    Key("public_tests", "file", True, "the public checks, shipped to students"),
    Key("hidden_tests", "path", doc="the hidden suite: a folder of test_*.py (not in the students' copy)"),
    Key("figures", "file", doc="the assignment's figures file for `make figures` (see autograder/figures/tools.py)"),
    Key("limits", "table", doc="limits for student code; every one optional", keys=LIMITS),
    Key("notebook", "table", doc="what the nbgrader notebook adds", keys=NOTEBOOK),
    Key("tasks", "tables", True, "the functions students write, in order", keys=TASK),
)
COURSE = (Key("title", "text", True, "the course's name, on the release's front page"),)
SCHEMA = (
    Key("course", "table", True, "the course as a whole", keys=COURSE),
    Key("assignments", "tables", True, "the assignments, in course order", keys=ASSIGNMENT),
)


def validate(data: dict, manifest: Path) -> None:
    """Raise ManifestError (one line) unless ``data``, read from ``manifest``, follows the schema."""
    root = manifest.parent
    name = manifest.name
    _check_table(data, SCHEMA, f"{name}:", root)
    ids = [entry["id"] for entry in data["assignments"]]
    for entry in data["assignments"]:
        where = f"{name}: assignment {entry['id']}:"
        if ids.count(entry["id"]) > 1:
            raise ManifestError(f"{where} the id is used by {ids.count(entry['id'])} assignments")
        tasks = [task["name"] for task in entry["tasks"]]
        if not tasks:
            raise ManifestError(f"{where} key 'tasks' has no task")
        twice = sorted({task for task in tasks if tasks.count(task) > 1})
        if twice:
            raise ManifestError(f"{where} task {twice[0]!r} is listed twice")
        if ("solution" in entry) != ("hidden_tests" in entry):
            given, missing = ("solution", "hidden_tests") if "solution" in entry else ("hidden_tests", "solution")
            raise ManifestError(
                f"{where} key {missing!r} is missing: a course with the {given} names both "
                "(the students' copy has neither)"
            )
        for key, value in entry.get("limits", {}).items():
            if value <= 0:
                raise ManifestError(f"{where} limits.{key} is {value}; limits are positive numbers")
        if "solution" in entry:
            source = (root / entry["solution"]).read_text(encoding="utf-8")
            for task in tasks:
                if not re.search(rf"^def {re.escape(task)}\(", source, re.MULTILINE):
                    raise ManifestError(f"{where} task {task!r} has no `def {task}(` in {entry['solution']}")


def _check_table(table, keys: tuple[Key, ...], where: str, root: Path) -> None:
    known = {key.name: key for key in keys}
    for name in table:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
            raise ManifestError(f"{where} unknown key {name!r}{guess}")
    for key in keys:
        if key.name not in table:
            if key.required:
                raise ManifestError(f"{where} key {key.name!r} is missing ({key.doc})")
            continue
        _check_value(table[key.name], key, where, root)


def _check_value(value, key: Key, where: str, root: Path) -> None:
    wrong = f"{where} key {key.name!r} should be"
    if key.kind == "table":
        if not isinstance(value, dict):
            raise ManifestError(f"{wrong} a table ([...]), not {_kind_of(value)}")
        _check_table(value, key.keys, _inside(where, f"[{key.name}]" if where.endswith(".toml:") else key.name), root)
    elif key.kind == "tables":
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise ManifestError(f"{wrong} a list of tables ([[...]]), not {_kind_of(value)}")
        for number, item in enumerate(value, start=1):
            label = item.get("id", item.get("name"))
            place = f"{_singular(key.name)} {label if isinstance(label, str) else f'number {number}'}"
            _check_table(item, key.keys, _inside(where, place), root)
    elif key.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ManifestError(f"{wrong} a number, not {_kind_of(value)}")
    elif key.kind in {"texts", "files"}:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ManifestError(f"{wrong} a list of strings, not {_kind_of(value)}")
        for item in value if key.kind == "files" else ():
            _check_path(item, "file", key, where, root)
    else:
        _check_text(value, key, where, root)


def _check_text(value, key: Key, where: str, root: Path) -> None:
    """A string key: a name, a title, or a path that must exist."""
    wrong = f"{where} key {key.name!r} should be"
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{wrong} a non-empty string, not {_kind_of(value)}")
    if key.kind == "identifier" and not IDENTIFIER.match(value):
        raise ManifestError(f"{wrong} a Python name (letters, digits, _), not {value!r}")
    if key.kind in ("file", "folder", "path"):
        _check_path(value, key.kind, key, where, root)


def _check_path(value: str, kind: str, key: Key, where: str, root: Path) -> None:
    path = root / value
    exists = {"file": path.is_file(), "folder": path.is_dir(), "path": path.exists()}[kind]
    if not exists:
        what = {"file": "no such file", "folder": "no such folder", "path": "no such file or folder"}[kind]
        raise ManifestError(f"{where} key {key.name!r}: {what}: {value}")


def _inside(where: str, place: str) -> str:
    """The location of a part: ``course.toml: assignment x:``, then ``course.toml: assignment x, task y:``."""
    return f"{where} {place}:" if where.endswith(".toml:") else f"{where[:-1]}, {place}:"


def _singular(name: str) -> str:
    return {"assignments": "assignment", "tasks": "task"}.get(name, name)


def _kind_of(value) -> str:
    names = {str: "a string", bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a table"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"[:80]


def describe(keys: tuple[Key, ...] = SCHEMA, indent: str = "") -> str:
    """The schema as text: one line per key (required or optional, its kind, what it means)."""
    lines = []
    for key in keys:
        need = "required" if key.required else "optional"
        lines.append(f"{indent}{key.name} ({key.kind}, {need}): {key.doc}")
        if key.keys:
            lines.append(describe(key.keys, indent + "    "))
    return "\n".join(lines)
