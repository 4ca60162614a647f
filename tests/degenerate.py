"""Degenerate submissions: they compute nothing, and must earn (almost) nothing.

Made from an assignment's reference and manifest alone, so a new assignment is
covered without hand work. A *family* is one way of doing nothing, applied to
every task function of the assignment at once:

- ``none``: return None;
- ``raises <E>``: raise each exception the reference raises somewhere (``raise E(``);
- ``constant c``: the reference's answer for the same call with every number
  replaced by c (the right types, shapes and dtypes, no work): c in CONSTANTS;
- ``input k``: the function's k-th argument itself;
- ``input k shaped``: the reference's answer with every array replaced by a copy
  of argument k where the shapes agree (zeros elsewhere), every number by 0.0;
- ``input k filled c``: argument k's shape (and dtype) filled with c.

Each degenerate file holds the reference's source as a string and runs it only
to learn the shape of an answer (the random generator's state is put back
afterwards, so a degenerate draws nothing). Grading family i gives every function
its i-th way of doing nothing, so one grading measures each function's family at
once; ``best_combination`` then picks, per function, the family that earned it most,
and that combination is graded too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

CONSTANTS = (0.0, 1.0, 0.5, -1.0)
FILLS = (0.0, 1.0)
# No degenerate submission may earn more than this share of an assignment's points.
CEILING = 0.05

HELPERS = '''
import numpy as np

_reference = {}
exec(compile(_REFERENCE_SOURCE, "reference", "exec"), _reference)


def _answer(function, args, kwargs):
    """The reference's answer for this call (None when it raises), drawing nothing from the generator."""
    state = np.random.get_state()
    try:
        return _reference[function](*args, **kwargs)
    except Exception:
        return None
    finally:
        np.random.set_state(state)


def _shaped(value, fill):
    """``value`` with every number (and every array) replaced by ``fill(that)``."""
    if isinstance(value, (tuple, list)):
        return type(value)(_shaped(item, fill) for item in value)
    if isinstance(value, np.ndarray) or isinstance(value, (bool, int, float, np.generic)):
        return fill(value)
    return value


def _constant(c):
    def fill(value):
        if isinstance(value, np.ndarray):
            return np.full(value.shape, c, dtype=value.dtype if value.dtype.kind == "f" else np.float64)
        return type(value)(c) if isinstance(value, (int, float)) and not isinstance(value, bool) else c
    return fill


def _like(argument):
    def fill(value):
        if isinstance(value, np.ndarray):
            if isinstance(argument, np.ndarray) and argument.shape == value.shape:
                return argument.copy()
            return np.zeros(value.shape, dtype=value.dtype)
        return 0.0
    return fill


def _filled(argument, c):
    if isinstance(argument, np.ndarray):
        return np.full_like(argument, c, dtype=argument.dtype if argument.dtype.kind == "f" else np.float64)
    if isinstance(argument, (list, tuple)):
        return type(argument)(c for _ in argument)
    return c


def _degenerate(function, family, args, kwargs):
    kind = family[0]
    if kind == "none":
        return None
    if kind == "raises":
        raise {"ValueError": ValueError, "TypeError": TypeError}.get(family[1], ValueError)(family[1])
    if kind == "constant":
        return _shaped(_answer(function, args, kwargs), _constant(family[1]))
    argument = args[family[1]] if family[1] < len(args) else None
    if kind == "input":
        return argument
    if kind == "shaped":
        return _shaped(_answer(function, args, kwargs), _like(argument))
    return _filled(argument, family[2])
'''


@dataclass(frozen=True)
class Family:
    """One way of doing nothing: ("none",), ("raises", "ValueError"), ("constant", 0.5), ("input", 1), ..."""

    spec: tuple

    @property
    def name(self) -> str:
        kind, *rest = self.spec
        if kind == "none":
            return "None"
        if kind == "raises":
            return f"raises {rest[0]}"
        if kind == "constant":
            return f"constant {rest[0]:g}"
        if kind == "input":
            return f"input {rest[0]}"
        if kind == "shaped":
            return f"input {rest[0]} shaped like the answer"
        return f"input {rest[0]} filled with {rest[1]:g}"


@dataclass
class Degenerate:
    """A degenerate submission: for each task function, the family it uses."""

    id: str
    families: dict[str, Family]
    source: str = field(repr=False)
    scores: dict[str, float] = field(default_factory=dict)  # points earned, by task
    total: float = 0.0


def parameter_count(source: str, function: str) -> int:
    """How many positional parameters ``function`` of the reference takes (1 for ``*args`` alone)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            count = len(node.args.posonlyargs) + len(node.args.args)
            return max(count, 1)
    raise ValueError(f"the reference defines no function {function}")


def raised(source: str) -> list[str]:
    """The exceptions the reference raises by name (``raise ValueError(...)``)."""
    return sorted(set(re.findall(r"raise (\w+Error)\b", source)))


def families(source: str, tasks: list[str]) -> list[Family]:
    """Every family, in a fixed order, for an assignment whose tasks take up to that many arguments."""
    most = max(parameter_count(source, task) for task in tasks)
    specs: list[tuple] = [("none",), *(("raises", name) for name in raised(source))]
    specs += [("constant", c) for c in CONSTANTS]
    specs += [("input", k) for k in range(most)]
    specs += [("shaped", k) for k in range(most)]
    specs += [("filled", k, c) for k in range(most) for c in FILLS]
    return [Family(spec) for spec in specs]


def write_source(reference: str, families_by_task: dict[str, Family]) -> str:
    """The text of a degenerate submission: each task function doing nothing its family's way."""
    lines = [
        '"""A degenerate submission (tests/degenerate.py): it computes nothing."""',
        "",
        f"_REFERENCE_SOURCE = {reference!r}",
        HELPERS,
    ]
    for task, family in families_by_task.items():
        lines += [
            "",
            f"def {task}(*args, **kwargs):",
            f"    return _degenerate({task!r}, {family.spec!r}, args, kwargs)",
            "",
        ]
    return "\n".join(lines)


def family_submissions(assignment) -> list[Degenerate]:
    """One degenerate submission per family, every task function doing nothing that family's way."""
    reference = assignment.solution.read_text(encoding="utf-8")
    tasks = assignment.task_names
    made = []
    for index, family in enumerate(families(reference, tasks)):
        chosen = dict.fromkeys(tasks, family)
        made.append(Degenerate(f"{assignment.id}-degenerate-{index:02d}", chosen, write_source(reference, chosen)))
    return made


def best_combination(assignment, graded: list[Degenerate]) -> Degenerate:
    """Each task function doing nothing the way that earned it most in ``graded`` (the first on ties)."""
    chosen = {}
    for task in assignment.task_names:
        best = max(graded, key=lambda d: d.scores.get(task, 0.0))
        chosen[task] = best.families[task]
    source = write_source(assignment.solution.read_text(encoding="utf-8"), chosen)
    return Degenerate(f"{assignment.id}-degenerate-best", chosen, source)


def grade_degenerates(assignment, degenerates: list[Degenerate], folder: Path, jobs=None, progress=False) -> None:
    """Grade each with the real grader, filling its scores by task and its total.

    ``jobs``: grading processes of ``grade_all`` (None: every core); 0 grades them one after
    another in this process (``grade_submission``, with the workers this process gives, such
    as a test file's in-process stand-in).
    """
    from autograder.channels.batch import grade_all  # noqa: PLC0415 - the grader only when grading
    from autograder.grade import grade_submission  # noqa: PLC0415

    paths = {}
    for degenerate in degenerates:
        target = folder / degenerate.id / assignment.filename
        target.parent.mkdir(parents=True)
        target.write_text(degenerate.source, encoding="utf-8")
        paths[degenerate.id] = target.parent
    by_id = {d.id: d for d in degenerates}
    if jobs == 0:
        reports = [(student, grade_submission(assignment, path)) for student, path in paths.items()]
    else:
        reports = []
        for outcome in grade_all(assignment, paths, jobs=jobs, progress=progress):
            if outcome.status == "error":
                raise RuntimeError(f"{outcome.student} could not be graded: {outcome.report.output[:200]}")
            reports.append((outcome.student, outcome.report))
    for student, report in reports:
        degenerate = by_id[student]
        for test in report.tests:
            degenerate.scores[test.task] = degenerate.scores.get(test.task, 0.0) + test.score
        degenerate.total = report.score


def measure(assignment, folder: Path, jobs=None, progress=False) -> tuple[list[Degenerate], Degenerate]:
    """Grade every family, then the best combination; returns (the families, the combination)."""
    graded = family_submissions(assignment)
    grade_degenerates(assignment, graded, folder / "families", jobs, progress)
    best = best_combination(assignment, graded)
    grade_degenerates(assignment, [best], folder / "best", jobs, progress)
    return graded, best


def describe(degenerate: Degenerate) -> str:
    """'None' when every function uses one family, else 'task: family, ...'."""
    names = {family.name for family in degenerate.families.values()}
    if len(names) == 1:
        return names.pop()
    return ", ".join(f"{task}: {family.name}" for task, family in degenerate.families.items())


_MEASURED: dict[str, tuple[list[Degenerate], Degenerate]] = {}


def measured(assignment, jobs=0) -> tuple[list[Degenerate], Degenerate]:
    """``measure``, once per process and assignment (tests of one session share the gradings); by
    default graded in this process, with the workers its test file chose."""
    if assignment.id not in _MEASURED:
        import tempfile  # noqa: PLC0415

        with tempfile.TemporaryDirectory(prefix="degenerates-") as folder:
            _MEASURED[assignment.id] = measure(assignment, Path(folder), jobs)
    return _MEASURED[assignment.id]
