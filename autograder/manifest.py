"""The schema of course.toml, declared once, and its check: every key known, present, of its type, every path there.

The dataclasses below (``Assignment``, ``Task``, ``NotebookExtras``, ``CourseInfo``)
are the schema: each field's ``manifest`` metadata (made by ``schema_field``) gives the
key's kind, whether it must be there and what it means; the limits are the
fields of ``sandbox.Limits``. ``keys_of`` reads the schema from them,
``validate`` checks a manifest against it and ``build`` makes the dataclasses
from a checked table, so a key added to a dataclass is checked, loaded and
described without another edit.

``validate(data, manifest)`` raises ``ManifestError`` with one line that names
the file, the assignment (and task) and the key, e.g.

    course.toml: assignment ch02_example: unknown key 'hiden_tests' (did you mean 'hidden_tests'?)

docs/authoring.md explains each key, and ``describe()`` prints the schema with
the defaults of the limits.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from autograder.sandbox import Limits

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The kinds of key: the kind says how a value is checked (``_check_value``) and loaded (``_loaded``).
KINDS = ("text", "identifier", "number", "texts", "file", "folder", "path", "files", "table", "tables")
# Where a field keeps its key's description, in the field's metadata.
MANIFEST = "manifest"


class CourseError(Exception):
    """The course as written cannot be used (its manifest, or a file it names); the message says why in one line."""


class ManifestError(CourseError):
    """course.toml does not follow its schema; the message is one line naming the file, the place and the key."""


def schema_field(
    kind: str, doc: str, *, required: bool = False, default: Any = MISSING, table: type | None = None
) -> Any:
    """A dataclass field that is a key of course.toml: its kind, whether it must be there, what it means.

    ``table`` is the dataclass a table (``kind="table"``), or each table of a
    list (``kind="tables"``), is loaded into; an optional table left out is
    that dataclass's defaults. An optional key's ``default`` is what the field
    holds when the key is absent.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of key {kind!r}; one of {', '.join(KINDS)}")
    metadata = {MANIFEST: {"kind": kind, "doc": doc, "required": required, "table": table}}
    if kind == "table" and not required:
        if table is None:
            raise ValueError(f"a key of kind {kind!r} names the dataclass it is loaded into (table=)")
        return field(default_factory=table, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Key:
    """One key of the manifest, as read from the schema: its name, kind, whether it must be there, what it means."""

    name: str
    kind: str
    required: bool = False
    doc: str = ""
    keys: tuple[Key, ...] = ()  # the keys of a table, or of each table of a list of tables
    table: type | None = None  # the dataclass that table is loaded into


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


@dataclass(frozen=True)
class Task:
    """One function the students write: what its stub asks for, and hints from gentle to strong."""

    name: str = schema_field(
        "identifier", "the function the student writes; a def of that name is in the solution", required=True
    )
    todo: str = schema_field("text", "what the stub's TODO asks for (what, never how)", required=True)
    hints: tuple[str, ...] = schema_field(
        "texts", "hints from gentle to strong, shown one at a time by `make hint`", default=()
    )


@dataclass(frozen=True)
class NotebookExtras:
    """What the assignment's nbgrader notebook adds to its tasks (all optional)."""

    readme_sections: tuple[str, ...] = schema_field(
        "texts", "titles of README sections the notebook's introduction shows", default=()
    )
    closing: Path | None = schema_field(
        "file", "markdown after the tasks; its ```python blocks become code cells", default=None
    )
    files: tuple[Path, ...] = schema_field(
        "files", "files copied beside the notebook (what the closing cells open)", default=()
    )


@dataclass(frozen=True, kw_only=True)
class Assignment:
    """One assignment of the course and where its parts live."""

    id: str = schema_field("identifier", "the assignment's name in every command (ASSIGNMENT=<id>)", required=True)
    title: str = schema_field("text", "shown in the README, the notebook and the results", required=True)
    module: str = schema_field("identifier", "the file students edit is <module>.py", required=True)
    folder: Path = schema_field("folder", "what students get: README.md, test_<module>.py, the stub", required=True)
    # None in the students' copy of the manifest.
    solution: Path | None = schema_field(
        "file", "the reference, with BEGIN/END SOLUTION regions (not in the students' copy)", default=None
    )
    public_tests: Path = schema_field("file", "the public checks, shipped to students", required=True)
    hidden_tests: Path | None = schema_field(
        "path", "the hidden suite: a folder of test_*.py (not in the students' copy)", default=None
    )
    figures: Path | None = schema_field(
        "file", "the assignment's figures file for `make figures` (see autograder/figures/tools.py)", default=None
    )
    limits: Limits = schema_field("table", "limits for student code; every one optional", table=Limits)
    notebook: NotebookExtras = schema_field("table", "what the nbgrader notebook adds", table=NotebookExtras)
    tasks: tuple[Task, ...] = schema_field(
        "tables", "the functions students write, in order", required=True, table=Task
    )

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    @property
    def solution_file(self) -> Path:
        """The reference, for the commands only the instructors' copy of the course can run."""
        if self.solution is None:
            raise CourseError(f"{self.id}: this copy of the course has no solution (it is the students' copy)")
        return self.solution

    @property
    def hidden_folder(self) -> Path:
        """The hidden suite, for the commands only the instructors' copy of the course can run."""
        if self.hidden_tests is None:
            raise CourseError(f"{self.id}: this copy of the course has no hidden suite (it is the students' copy)")
        return self.hidden_tests

    @property
    def task_names(self) -> list[str]:
        return [task.name for task in self.tasks]

    def task(self, name: str) -> Task:
        for task in self.tasks:
            if task.name == name:
                return task
        raise KeyError(f"{self.id} has no task {name!r}; its tasks are {', '.join(self.task_names)}")


@dataclass(frozen=True)
class CourseInfo:
    """The ``[course]`` table: the course as a whole."""

    title: str = schema_field("text", "the course's name, on the release's front page", required=True)


@dataclass(frozen=True)
class Course:
    """The whole manifest: the course table and the assignments, in course order."""

    course: CourseInfo = schema_field("table", "the course as a whole", required=True, table=CourseInfo)
    assignments: tuple[Assignment, ...] = schema_field(
        "tables", "the assignments, in course order", required=True, table=Assignment
    )


def keys_of(table: type) -> tuple[Key, ...]:
    """The keys of a table of the manifest, read from the dataclass it is loaded into."""
    return tuple(_key_of(item) for item in fields(table))


def _key_of(item: Field[Any]) -> Key:
    spec = item.metadata.get(MANIFEST)
    if spec is None:  # a field of sandbox.Limits, which is declared there: every limit is an optional number
        return Key(item.name, "number", doc=f"{LIMIT_DOCS.get(item.name, item.name)} (default {item.default:g})")
    nested = keys_of(spec["table"]) if spec["table"] is not None else ()
    return Key(item.name, spec["kind"], spec["required"], spec["doc"], nested, spec["table"])


SCHEMA = keys_of(Course)
LIMITS = keys_of(Limits)
TASK = keys_of(Task)
ASSIGNMENT = keys_of(Assignment)


def validate(data: dict[str, Any], manifest: Path) -> None:
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


def build(table: type, data: dict[str, Any], root: Path) -> Any:
    """The dataclass ``table`` made from a validated table of the manifest; paths are made absolute under ``root``."""
    keys = {key.name: key for key in keys_of(table)}
    return table(**{name: _loaded(data[name], keys[name], root) for name in data})


def _loaded(value: Any, key: Key, root: Path) -> Any:
    if key.kind in ("table", "tables"):
        table = key.table
        if table is None:
            raise ValueError(f"the key {key.name!r} of kind {key.kind!r} names no dataclass to load into (table=)")
        if key.kind == "table":
            return build(table, value, root)
        return tuple(build(table, item, root) for item in value)
    if key.kind in ("file", "folder", "path"):
        return root / value
    if key.kind == "files":
        return tuple(root / item for item in value)
    if key.kind == "texts":
        return tuple(value)
    return value


def _check_table(table: Any, keys: tuple[Key, ...], where: str, root: Path) -> None:
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


def _check_value(value: Any, key: Key, where: str, root: Path) -> None:
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


def _check_text(value: Any, key: Key, where: str, root: Path) -> None:
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


def _kind_of(value: object) -> str:
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
