"""A submitted notebook's answers, cut out as the module file ``make grade`` grades.

    extract_answers(submitted_json, released) -> Answers

Nothing a student hands in decides what is graded or where a score goes: the
released notebook (the instructor's copy, ``release/<id>/<id>.ipynb``) says
which cells hold answers (their nbformat cell ids and nbgrader grade ids) and
gives the set-up cell; the submitted notebook gives only the text of those
answer cells. Each task's answer is the one code cell carrying the release's
cell id for it, else the one carrying its grade id, else the one cell the
student added that defines the task's function. Two candidates, or none, leave
that task unanswered, with the reason; the other tasks are still graded.

Student code is only read here (``compile`` checks the syntax, nothing runs);
it runs in the project's worker, through ``grade.grade_submission``.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

# An answer cell larger than this is not read (a whole chapter is a few kilobytes).
MAX_CELL_CHARS = 200_000
# A line Jupyter reads as a magic or a shell command, which Python cannot compile.
MAGIC_LINE = re.compile(r"^([ \t]*)([%!].*)$", re.MULTILINE)


@dataclass(frozen=True)
class Released:
    """What the release says about its cells: the set-up code, each task's answer cell, the graded cells."""

    setup: str
    answers: dict[str, tuple[str | None, str]]  # task -> (its cell id, the stub it was released with)
    graded: frozenset[str]  # grade ids of the test cells

    @classmethod
    def from_notebook(cls, notebook: dict, tasks) -> Released:
        setup, answers, graded = "", {}, set()
        for cell in notebook.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if grade_id == "setup":
                setup = _source(cell)
            elif meta.get("solution") and grade_id in tasks:
                answers[grade_id] = (cell.get("id"), _source(cell))
            elif meta.get("grade"):
                graded.add(grade_id)
        missing = [task for task in tasks if task not in answers]
        if missing:
            raise ValueError(f"the released notebook has no answer cell for {missing}; run nbgrader-release again")
        return cls(setup, answers, frozenset(graded))


@dataclass
class Answers:
    """One student's answers: the module to grade, and what the student should know about how it was read."""

    module: str
    by_task: dict[str, str | None]  # None: no answer could be taken for that task
    unchanged: set[str] = field(default_factory=set)  # tasks handed in as released
    notes: list[str] = field(default_factory=list)  # why something was not read as handed in


def extract_answers(data: bytes, released: Released) -> Answers:
    """The module made of the release's set-up cell and each task's answer from ``data`` (a notebook's bytes)."""
    notes: list[str] = []
    cells = _cells(data, notes)
    by_task: dict[str, str | None] = {}
    for task, (cell_id, _stub) in released.answers.items():
        by_task[task] = _answer(cells, task, cell_id, released, notes)
    notes += _claims(cells, released)
    parts = [released.setup]
    for task, handed_in in by_task.items():
        source = None if handed_in is None else _compilable(task, handed_in, notes)
        by_task[task] = source
        if source is not None:
            parts.append(source)
    unchanged = {task for task, source in by_task.items() if source == released.answers[task][1]}
    return Answers("\n\n\n".join(parts) + "\n", by_task, unchanged, notes)


def _cells(data: bytes, notes: list[str]) -> list[dict]:
    """The notebook's code cells as dictionaries; none, with a note, when the file is no notebook."""
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        notes.append("the notebook could not be read (it is not a Jupyter notebook's JSON); nothing was graded")
        return []
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        notes.append("the notebook holds no list of cells; nothing was graded")
        return []
    return [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]


def _answer(cells, task, cell_id, released: Released, notes) -> str | None:
    by_id = [c for c in cells if cell_id is not None and c.get("id") == cell_id]
    by_grade_id = [c for c in cells if _grade_id(c) == task]
    for found in (by_id, by_grade_id):
        if len(found) == 1:
            return _source(found[0])
        if len(found) > 1:
            notes.append(
                f"{len(found)} cells claim to be the answer cell of {task}, so none of them was graded as it; "
                f"keep one cell for {task} (copy your function into a fresh copy of the released notebook)"
            )
            return None
    known = {cid for cid, _ in released.answers.values()}
    added = [c for c in cells if c.get("id") not in known and _defines(_source(c), task)]
    if len(added) == 1:
        notes.append(f"the answer cell of {task} was missing; the one cell defining {task} was graded instead")
        return _source(added[0])
    notes.append(f"no cell holds your answer to {task} (its answer cell was deleted or changed); it got no points")
    return None


def _claims(cells, released: Released) -> list[str]:
    """Cells whose nbgrader metadata claims grades the release does not give them: ignored, and said so."""
    claims = {}
    for cell in cells:
        meta = _nbgrader(cell)
        grade_id = _grade_id(cell)
        if grade_id in released.answers and meta.get("grade"):
            claims[f"the answer cell of {grade_id} is marked as graded"] = None
        elif grade_id in released.graded and meta.get("locked") is not True:
            claims["a cell you added claims the grade id of one of the course's test cells"] = None
        elif meta.get("grade") and grade_id not in released.graded and grade_id not in released.answers:
            claims["a cell you added is marked as graded"] = None
    seen = [g for g in (_grade_id(c) for c in cells) if g in released.graded]
    if len(seen) != len(set(seen)):
        claims["two cells carry the grade id of one test cell"] = None
    return [
        f"{claim}; the course grades only its own test cells, so this was ignored (scores come from the grader)"
        for claim in claims
    ]


def _compilable(task: str, source: str, notes: list[str]) -> str | None:
    """The answer if Python can compile it, with notebook magics commented out; None (and a note) otherwise."""
    if len(source) > MAX_CELL_CHARS:
        notes.append(f"your answer to {task} is longer than {MAX_CELL_CHARS} characters; it was not graded")
        return None
    for attempt in (source, _without_magics(source)):
        try:
            compile(attempt, f"<answer to {task}>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            reason = f"{type(error).__name__}: {getattr(error, 'msg', None) or error}"
            line = getattr(error, "lineno", None)
            continue
        if attempt is not source:
            notes.append(f"in your answer to {task}, lines starting with % or ! (notebook commands) were not run")
        return attempt
    where = f" (line {line} of the cell)" if line else ""
    notes.append(f"your answer to {task} is not valid Python{where}: {reason}; it got no points")
    return None


def _without_magics(source: str) -> str:
    return MAGIC_LINE.sub(r"\1pass  # \2", source)


def _defines(source: str, name: str) -> bool:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)


def _nbgrader(cell: dict) -> dict:
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return meta if isinstance(meta, dict) else {}


def _grade_id(cell: dict):
    grade_id = _nbgrader(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""
