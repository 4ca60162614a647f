"""Mutation testing of the hidden suites: every wrong reference must lose points, on its own function only.

``make mutants`` (``python tests/mutation.py``) does four things for every
assignment of course.toml (``--assignment`` picks one), then a fifth:

1. **Generate** mutants of the reference inside its ``### BEGIN SOLUTION`` /
   ``### END SOLUTION`` regions: mutmut's own node operators (numbers, names,
   operators, arguments, assignments, on libcst trees) plus the domain operators
   below (drop or add a square root, swap operands, change a constant or T, shift
   a slice, flatten a reshape, draw the noise differently, modify an input in
   place, cast the result down).
2. **Decide equivalence** with a differential oracle: each mutant and the
   reference run side by side on many inputs (random ones, levels exactly 0 and
   1, 1-D to 5-D batches, float32 and float64, B equal to the channel count, the
   same seeds), comparing results within float64 rounding, the precision of the
   results and the inputs after the call. The inputs are every call the suites
   themselves make when they grade the reference (recorded in-process), plus the
   hand-made edge cases below for the functions they name. A mutant that differs
   nowhere is equivalent; otherwise the functions where it differs are the ones it
   touched.
3. **Grade** every mutant with the real grader (``grade_all``, on every core).
4. **Report** per function: mutants, equivalent, killed, survivors (with the
   oracle's difference), and the misblamed ones (points lost on a function the
   oracle found untouched, or any point lost by an equivalent mutant). The last
   line reads ``mutants: N generated, E equivalent, K killed, S survived, M misblamed``.
5. **Degenerates** (``tests/degenerate.py``): submissions that compute nothing
   (None, constants, zeros, the inputs themselves, the inputs' shapes filled with a
   number, and the best combination of these per function) are graded too; none may
   earn more than ``degenerate.CEILING`` of the points. The line reads
   ``degenerates: N graded, best P of M points (S%), ceiling C%``.

``--sample K`` grades a deterministic spread of K mutants per function (CI's
cap); ``--json PATH`` writes every mutant's verdict.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import json
import re
import sys
import tempfile
import time
import types
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import degenerate
import libcst as cst
import numpy as np
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider
from mutmut.mutation.mutators import mutation_operators

from autograder.channels.batch import grade_all
from autograder.checks import held_precision
from autograder.course import get_assignment, load_course

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SUMMARY = re.compile(r"^mutants: (\d+) generated, (\d+) equivalent, (\d+) killed, (\d+) survived, (\d+) misblamed$")
DEGENERATES = re.compile(
    r"^degenerates: (\d+) graded, best ([\d.]+) of ([\d.]+) points \(([\d.]+)%\), ceiling ([\d.]+)%$"
)
RECORDED_PER_FUNCTION = 40  # the oracle's share of the suites' own calls, per function (an even spread)


@dataclass
class Mutant:
    id: str
    function: str  # the function whose solution region was edited
    operator: str
    line: int
    change: str  # the edited line, after the edit
    source: str = field(repr=False)
    touched: list[str] = field(default_factory=list)  # where the oracle saw a difference
    difference: str = ""  # the first difference the oracle found
    lost: dict[str, float] = field(default_factory=dict)  # points lost, by function
    verdict: str = ""  # equivalent, killed, survived (and misblamed beside it)
    misblamed: list[str] = field(default_factory=list)
    assignment: str = ""  # the assignment whose reference was mutated


# -- 1. generation ------------------------------------------------------------------------


def solution_lines(source: str) -> set[int]:
    """Line numbers (1-based) strictly inside the solution regions."""
    inside, lines = False, set()
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip().startswith(BEGIN):
            inside = True
        elif line.strip().startswith(END):
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _np(attribute: str) -> cst.Attribute:
    return cst.parse_expression(f"np.{attribute}")


def _is_np_call(node, name: str) -> bool:
    func = node.func if isinstance(node, cst.Call) else None
    return isinstance(func, cst.Attribute) and func.attr.value == name


def drop_sqrt(node: cst.Call):
    if _is_np_call(node, "sqrt") and node.args:
        yield node.args[0].value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def add_sqrt(node: cst.BinaryOperation):
    if isinstance(node.operator, cst.Multiply):
        for side in ("left", "right"):
            operand = getattr(node, side)
            if not _is_np_call(operand, "sqrt"):
                yield node.with_changes(**{side: cst.Call(func=_np("sqrt"), args=[cst.Arg(operand)])})


def swap_operands(node: cst.BinaryOperation):
    yield node.with_changes(left=node.right, right=node.left)


def other_constants(node: cst.BaseNumber):
    if isinstance(node, (cst.Integer, cst.Float)):
        value = node.evaluated_value
        for other in {0, 1, 2, value - 1, value * 2} - {value}:
            yield node.with_changes(value=repr(type(value)(other)))


def other_pi(node: cst.Attribute):
    if node.attr.value == "pi":
        yield cst.parse_expression("(np.pi / 2)")
        yield cst.parse_expression("1.0")


def other_T(node: cst.Name):
    if node.value == "T":
        yield cst.parse_expression("(T + 1)")
        yield cst.parse_expression("(T - 1)")


def flatten_reshape(node: cst.Call):
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "reshape" and node.args:
        yield node.with_changes(args=[cst.Arg(cst.parse_expression("-1"))])


def other_noise(node: cst.Call):
    """randn(*shape) drawn another way: uniform, another generator, another layout, twice, per channel."""
    if not (_is_np_call(node, "randn") and len(node.args) == 1 and node.args[0].star == "*"):
        return
    shape = cst.Module([]).code_for_node(node.args[0].value)
    for text in (
        f"np.random.rand(*{shape})",
        f"np.random.default_rng().standard_normal({shape})",
        f"np.random.standard_normal({shape})",
        f"np.random.randn(*{shape}[::-1]).T",
        f"(np.random.randn(*{shape}), np.random.randn(*{shape}))[1]",
        f"np.stack([np.random.randn(*{shape}[:-1]) for _ in range({shape}[-1])], axis=-1)",
        f"np.stack([np.random.randn(*{shape}[1:]) for _ in range({shape}[0])])",
        f"np.random.normal(0.0, 2.0, {shape})",
    ):
        yield cst.parse_expression(text)


DOMAIN_OPERATORS = [
    (cst.Call, drop_sqrt),
    (cst.BinaryOperation, add_sqrt),
    (cst.BinaryOperation, swap_operands),
    (cst.BaseNumber, other_constants),
    (cst.Attribute, other_pi),
    (cst.Name, other_T),
    (cst.Call, flatten_reshape),
    (cst.Call, other_noise),
]

# Whole-statement mutations, made on the text of a function's return lines.
CAST_DOWN = (
    "def _cast_down(result, dtype):\n"
    "    if isinstance(result, tuple):\n"
    "        return tuple(_cast_down(part, dtype) for part in result)\n"
    "    return np.asarray(result).astype(dtype)\n"
)
RETURN_EDITS = {
    "cast to float32": "return _cast_down({value}, np.float32)",
    "cast to float16": "return _cast_down({value}, np.float16)",
    "cast to float32 and back": "return _cast_down(_cast_down({value}, np.float32), np.float64)",
}


def _operators():
    for kind, operator in mutation_operators:
        yield f"mutmut.{operator.__name__.removeprefix('operator_')}", kind, operator
    for kind, operator in DOMAIN_OPERATORS:
        yield f"domain.{operator.__name__}", kind, operator


def generate(source: str) -> list[Mutant]:
    """Every mutant of the solution regions that compiles and differs from the reference's text."""
    region = solution_lines(source)
    wrapper = MetadataWrapper(cst.parse_module(source))
    positions = wrapper.resolve(PositionProvider)
    parents = wrapper.resolve(ParentNodeProvider)
    module = wrapper.module
    found: dict[str, Mutant] = {}

    def add(function, operator, line, mutated):
        if mutated == source or mutated in found:
            return
        try:
            compile(mutated, "forward.py", "exec")
        except SyntaxError:
            return
        change = mutated.splitlines()[line - 1].strip() if line <= len(mutated.splitlines()) else ""
        digest = hashlib.sha256(mutated.encode()).hexdigest()[:8]
        found[mutated] = Mutant(f"{function}-{digest}", function, operator, line, change, mutated)

    for node, where in positions.items():
        if not all(line in region for line in range(where.start.line, where.end.line + 1)):
            continue
        function = _enclosing_function(node, parents)
        if function is None:
            continue
        for name, kind, operator in _operators():
            if not isinstance(node, kind):
                continue
            with contextlib.suppress(Exception):  # an operator that does not apply to this node
                for new in operator(node):
                    add(function, name, where.start.line, module.deep_replace(node, new).code)
    lines = source.splitlines(keepends=True)
    for number in sorted(region):
        text = lines[number - 1]
        stripped = text.strip()
        function = _function_at(source, number)
        if function is None:
            continue
        indent = text[: len(text) - len(text.lstrip())]
        if stripped.startswith("return "):
            value = stripped.removeprefix("return ")
            for name, edit in RETURN_EDITS.items():
                edited = [*lines]
                edited[number - 1] = indent + edit.format(value=value) + "\n"
                add(function, f"domain.{name}", number, "".join(edited) + "\n\n" + CAST_DOWN)
            for parameter in _parameters(source, function):
                edited = [*lines]
                edited[number - 1] = (
                    f"{indent}if isinstance({parameter}, np.ndarray):\n"
                    f"{indent}    {parameter}[...] = {parameter} * 0.5\n" + text
                )
                add(function, "domain.input modified in place", number, "".join(edited))
    return sorted(found.values(), key=lambda m: (m.function, m.line, m.operator, m.id))


def _enclosing_function(node, parents) -> str | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, cst.FunctionDef):
            outer = node
            while node in parents:
                node = parents[node]
                if isinstance(node, cst.FunctionDef):
                    outer = node
            return outer.name.value
    return None


def _function_at(source: str, line: int) -> str | None:
    name = None
    for number, text in enumerate(source.splitlines(), 1):
        if number > line:
            break
        match = re.match(r"def (\w+)\(", text)
        if match:
            name = match.group(1)
    return name


def _parameters(source: str, function: str) -> list[str]:
    match = re.search(rf"^def {function}\(([^)]*)\)", source, re.MULTILINE)
    names = [p.split("=")[0].strip() for p in match.group(1).split(",")] if match else []
    return [n for n in names if n and n != "T"]


# -- 2. the differential oracle --------------------------------------------------------------

BATCHES = ((5,), (3, 3), (4, 5, 6), (3, 8, 8, 3), (2, 3, 4, 5, 2), (4, 4))


def oracle_cases(tasks) -> list[tuple[str, tuple]]:
    """(function, args) pairs covering the spec's domain and its edges."""
    rng = np.random.RandomState(2468)
    cases = []
    for T in (1, 2, 7, 10, 1000, 4000):
        cases.append(("cosine_schedule", (T,)))
    cases.append(("cosine_schedule", ()))
    images = [(16, 16, 3), (4, 5), (7,)]
    for dtype in (np.float64, np.float32):
        for shape in images:
            x = rng.uniform(-1, 1, shape).astype(dtype)
            for level in (0.0, 1.0, 0.5, 0.02, 0.9999, float(np.cos(np.pi / 2) ** 2)):
                cases.append(("add_noise", (x, level)))
                cases.append(("noise_step", (x, level)))
                if level > 0:
                    cases.append(("remove_noise", (x, rng.randn(*shape).astype(dtype), level)))
        for shape in BATCHES:
            x = rng.uniform(-1, 1, shape).astype(dtype)
            B = shape[0]
            for levels in (np.linspace(1.0, 0.0, B), rng.uniform(0, 1, B)):
                cases.append(("add_noise", (x, levels)))
                cases.append(("noise_step", (x, levels[::-1].copy())))
            cases.append(("remove_noise", (x, rng.randn(*shape).astype(dtype), np.linspace(1.0, 0.2, B))))
    cosine = np.cos(np.linspace(0.0, 1.0, 1001) * np.pi / 2) ** 2
    linear = np.concatenate([[1.0], np.cumprod(1 - np.linspace(1e-4, 0.2, 50))])
    for schedule in (cosine, linear, cosine[:11].copy(), np.array([1.0, 0.5]), cosine.astype(np.float32)):
        cases.append(("betas_from_alpha_bar", (schedule,)))
    return [(f, a) for f, a in cases if f in tasks]


def oracle_for(assignment):
    """The hand-picked oracle cases of an assignment: its own tests/mutation_<module>.py, else Chapter 1's above.

    Chapter 1's keep only the calls of the assignment's own tasks, so for an
    assignment with neither, the recorded calls of its suites are the oracle.
    """
    try:
        return importlib.import_module(f"mutation_{assignment.module}").oracle_cases
    except ModuleNotFoundError:
        return oracle_cases


def load(source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    return module


def run_case(module, function, args, seed):
    """(result or exception name, inputs after the call)."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    np.random.seed(seed)
    try:
        with np.errstate(all="ignore"), warnings_ignored():
            result = getattr(module, function)(*copies)
    except Exception as error:  # noqa: BLE001 - a mutant that raises differs from a reference that does not
        result = f"raised {type(error).__name__}"
    return result, copies


@contextlib.contextmanager
def warnings_ignored():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def differ(got, want, inputs_dtype) -> str:  # noqa: PLR0911, PLR0912 - one return per kind of difference
    """'' when ``got`` is ``want`` up to float64 rounding and no less precise; else what differs."""
    if isinstance(want, str) or isinstance(got, str):
        if isinstance(want, str) and isinstance(got, str):
            return "" if got == want else f"{got} (the reference {want})"
        return f"{got} (the reference {want})" if isinstance(got, str) else f"returned (the reference {want})"
    if isinstance(want, tuple):
        if not isinstance(got, tuple) or len(got) != len(want):
            return f"returned {type(got).__name__} instead of a pair"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            found = differ(g, w, inputs_dtype)
            if found:
                return f"item {i}: {found}"
        return ""
    if _is_number(want):
        if not _is_number(got):
            return f"returned {type(got).__name__} instead of a number"
        g, w = float(got), float(want)
        if g == w or (np.isnan(g) and np.isnan(w)):
            return ""
        kind = np.dtype(inputs_dtype).kind == "f"
        needed = np.finfo(inputs_dtype).eps if kind else np.finfo(np.float64).eps  # float32 inputs: float32's
        tol = 1000 * float(needed) * max(1.0, abs(w)) if np.isfinite(w) else 0.0
        return "" if abs(g - w) <= tol else f"{g!r} (the reference {w!r})"
    if not isinstance(got, np.ndarray):
        return f"returned {type(got).__name__}"
    if not isinstance(want, np.ndarray):
        return "" if got.tolist() == want else f"an array (the reference {type(want).__name__})"
    if got.shape != want.shape:
        return f"shape {got.shape} instead of {want.shape}"
    needed = np.finfo(inputs_dtype).eps if np.dtype(inputs_dtype).kind == "f" else np.finfo(np.float64).eps
    held = held_precision(got)
    if held.kind != "f" or (np.finfo(held).eps > needed and np.finfo(held_precision(want)).eps <= needed):
        return f"precision {held} for {np.dtype(inputs_dtype)} inputs"
    g, w = got.astype(np.float64), want.astype(np.float64)
    same = (g == w) | (np.isnan(g) & np.isnan(w))
    finite = np.isfinite(w)
    scale = max(1.0, float(np.abs(w[finite]).max())) if finite.any() else 1.0
    tol = 1000 * float(needed) * scale
    with np.errstate(invalid="ignore"):
        off = np.where(same, 0.0, np.abs(g - w))
    off = np.where(np.isnan(off), np.inf, off)
    worst = float(off.max()) if off.size else 0.0
    return "" if worst <= tol else f"off by {worst:.3g} (tolerance {tol:.2g})"


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def recorded_cases(assignment_id: str) -> list[tuple[str, tuple]]:
    """Every call the suites make when they grade the reference, recorded in a fresh process.

    (A process of its own: the suites run in a pytest thread, and the grading pool
    that follows must not be forked from a process holding one.)
    """
    import multiprocessing  # noqa: PLC0415 - only the recording needs it

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_record, (assignment_id,))


def _record(assignment_id: str) -> list[tuple[str, tuple]]:
    from autograder.grade import load_reference, run_pytest, suite_paths  # noqa: PLC0415
    from autograder.interface import StudentError  # noqa: PLC0415
    from autograder.plugin import GradingPlugin, InProcess  # noqa: PLC0415

    calls: dict[bytes, tuple[str, tuple]] = {}

    class Recording(InProcess):
        def take_output(self) -> str:
            return ""  # the reference prints nothing a check reads

        def _run(self, function, args, kwargs, seed):
            if not kwargs:
                key = hashlib.sha256(repr((function, [_fingerprint(a) for a in args])).encode()).digest()
                calls.setdefault(key, (function, tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)))
            try:
                return super()._run(function, args, kwargs, seed)
            except Exception as error:  # noqa: BLE001 - the reference's own refusal, as a worker would report it
                names = [cls.__name__ for cls in type(error).__mro__]
                raise StudentError(str(error), raised=names) from None

    assignment = get_assignment(assignment_id)
    plugin = GradingPlugin(Recording(load_reference(assignment)), InProcess(load_reference(assignment)))
    with contextlib.suppress(Exception), warnings_ignored(), np.errstate(all="ignore"):
        run_pytest(suite_paths(assignment, ("public", "hidden")), plugin)
    by_function: dict[str, list] = {}
    for function, args in calls.values():
        by_function.setdefault(function, []).append((function, args))
    return [case for cases in by_function.values() for case in spread(cases, RECORDED_PER_FUNCTION)]


def _fingerprint(value):
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, hashlib.sha256(value.tobytes()).hexdigest())
    return repr(value)


def describe_args(args) -> str:
    parts = []
    for a in args:
        if isinstance(a, np.ndarray):
            parts.append(f"array{a.shape} {a.dtype}" if a.ndim != 1 or a.size > 6 else f"{np.round(a, 3).tolist()}")
        else:
            parts.append(f"{a:g}" if isinstance(a, float) else repr(a))
    return ", ".join(parts)


def judge(mutant: Mutant, reference, cases, expected) -> None:
    """Fill ``touched`` and ``difference`` from the oracle."""
    try:
        module = load(mutant.source, "mutant")
    except Exception as error:  # noqa: BLE001 - a mutant that fails at import touches every function
        mutant.touched = sorted({f for f, _ in cases})
        mutant.difference = f"import raised {type(error).__name__}"
        return
    touched = {}
    for index, (function, args) in enumerate(cases):
        if function in touched:
            continue
        dtype = next((a.dtype for a in args if isinstance(a, np.ndarray)), np.float64)
        for seed in (0, 1):
            want, want_after = expected[index, seed]
            got, got_after = run_case(module, function, args, seed)
            found = differ(got, want, dtype)
            if not found:
                for position, (g, w) in enumerate(zip(got_after, want_after, strict=True)):
                    if isinstance(w, np.ndarray) and not np.array_equal(g, w, equal_nan=True):
                        found = f"argument {position + 1} modified in place"
                        break
            if found:
                touched[function] = f"{function}({describe_args(args)}): {found}"
                break
    mutant.touched = sorted(touched)
    mutant.difference = "; ".join(touched[f] for f in mutant.touched)


# -- 3. grading and 4. the report ------------------------------------------------------------------


def grade_mutants(assignment, mutants: list[Mutant], folder: Path, jobs: int | None, progress: bool) -> None:
    paths = {}
    for mutant in mutants:
        target = folder / mutant.id / assignment.filename
        target.parent.mkdir(parents=True)
        target.write_text(mutant.source, encoding="utf-8")
        paths[mutant.id] = target.parent
    outcomes = grade_all(assignment, paths, jobs=jobs, progress=progress)
    by_id = {mutant.id: mutant for mutant in mutants}
    for outcome in outcomes:
        mutant = by_id[outcome.student]
        if outcome.status == "error":
            mutant.lost = {task: float("nan") for task in assignment.task_names}
            continue
        for task in assignment.task_names:
            mine = [t for t in outcome.report.tests if t.task == task]
            lost = sum(t.max_score for t in mine) - sum(t.score for t in mine)
            if lost > 0:
                mutant.lost[task] = lost


def classify(mutant: Mutant) -> None:
    lost = set(mutant.lost)
    if not mutant.touched:
        mutant.verdict = "equivalent"
        mutant.misblamed = sorted(lost)
        return
    mutant.verdict = "killed" if lost & set(mutant.touched) else "survived"
    mutant.misblamed = sorted(lost - set(mutant.touched))


def spread(items: list, k: int) -> list:
    """k items evenly spread over ``items`` (all of them when k >= len)."""
    if k <= 0 or k >= len(items):
        return list(items)
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def report(mutants: list[Mutant], graded: list[Mutant], tasks, out=sys.stdout, summary=True, table=True) -> str:
    """Print the table of ``tasks``, survivors and misblamed mutants, then the counts' line (the last line
    of the program when ``summary``; otherwise marked as one assignment's)."""
    rows = []
    for task in tasks:
        mine = [m for m in graded if m.function == task]
        counts = {v: sum(m.verdict == v for m in mine) for v in ("equivalent", "killed", "survived")}
        live = counts["killed"] + counts["survived"]
        score = f"{100 * counts['killed'] / live:.0f}%" if live else "-"
        rows.append((task, len(mine), counts["equivalent"], counts["killed"], counts["survived"], score))
    if table:
        print(f"{'function':22} {'mutants':>7} {'equivalent':>10} {'killed':>6} {'survived':>8} {'score':>6}", file=out)
        for row in rows:
            print(f"{row[0]:22} {row[1]:>7} {row[2]:>10} {row[3]:>6} {row[4]:>8} {row[5]:>6}", file=out)
    survivors = [m for m in graded if m.verdict == "survived"]
    if survivors:
        print("\nsurvivors (the oracle's difference):", file=out)
        for m in survivors:
            print(f"  {m.id} [{m.operator}] line {m.line}: {m.change}\n      {m.difference}", file=out)
    misblamed = [m for m in graded if m.misblamed]
    if misblamed:
        print("\nmisblamed (points lost on a function the mutant did not touch):", file=out)
        for m in misblamed:
            lost = ", ".join(f"{t} -{m.lost[t]:g}" for t in m.misblamed)
            print(f"  {m.id} [{m.operator}] {m.verdict}, touched {m.touched or 'nothing'}: {lost}", file=out)
    equivalent = sum(m.verdict == "equivalent" for m in graded)
    killed = sum(m.verdict == "killed" for m in graded)
    survived = len(survivors)
    line = (
        f"mutants: {len(mutants)} generated, {equivalent} equivalent, {killed} killed, "
        f"{survived} survived, {len(misblamed)} misblamed"
    )
    if len(graded) < len(mutants):
        print(
            f"\n(graded a spread of {len(graded)} of the {len(mutants)} mutants; counts after 'generated' are theirs)",
            file=out,
        )
    print(line if summary else f"{line} (this assignment)", file=out)
    return line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="grade a spread of K mutants per function (0: all)")
    parser.add_argument("--jobs", type=int, default=None, help="grading processes (default: every core)")
    parser.add_argument("--json", type=Path, default=None, help="write every mutant's verdict here")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--assignment", action="append", help="only this assignment (repeatable; default: all)")
    parser.add_argument(
        "--no-degenerates",
        dest="degenerates",
        action="store_false",
        help="skip the fifth step (tests/test_no_points_for_nothing.py grades the family and checks its lines)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    ids = args.assignment or list(load_course())
    everything, verdicts, worst = [], [], []
    for assignment_id in ids:
        print(f"== {assignment_id}")
        assignment = get_assignment(assignment_id)
        mutants, chosen = mutate(assignment, args)
        everything += mutants
        verdicts += chosen
        if args.degenerates:
            with tempfile.TemporaryDirectory(prefix="degenerates-") as folder:
                measured = degenerate.measure(assignment, Path(folder), args.jobs, progress=not args.quiet)
            worst.append(print_degenerates(assignment, *measured))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = [{k: v for k, v in asdict(m).items() if k != "source"} for m in verdicts]
        args.json.write_text(json.dumps(data, indent=1), encoding="utf-8")
    print(f"\n== every assignment ({time.monotonic() - started:.0f} s)")
    if worst:
        print(degenerates_line(worst))
    report(everything, verdicts, [], out=sys.stdout, table=False)
    return 0


def print_degenerates(assignment, graded, best) -> tuple[float, float, int]:
    """Print the graded degenerate family and its best combination; (best score, points, how many)."""
    points = points_of(assignment)
    print(f"\ndegenerate submissions of {assignment.id} (out of {points:g} points):")
    for each in [*graded, best]:
        earned = ", ".join(f"{task} {score:g}" for task, score in each.scores.items() if score)
        print(f"  {each.total:>5g}  {degenerate.describe(each)}{f' ({earned})' if earned else ''}")
    top = max([*graded, best], key=lambda d: d.total)
    return top.total, points, len(graded) + 1


def degenerates_line(worst: list[tuple[float, float, int]]) -> str:
    """The fifth step's last line, from each assignment's (best score, points, how many)."""
    highest = max(worst, key=lambda w: w[0] / w[1])
    return (
        f"degenerates: {sum(w[2] for w in worst)} graded, best {highest[0]:g} of {highest[1]:g} points "
        f"({100 * highest[0] / highest[1]:.1f}%), ceiling {100 * degenerate.CEILING:g}%"
    )


def points_of(assignment) -> float:
    from autograder.channels.notebook.checks import collect  # noqa: PLC0415

    return sum(check.points for suite in ("public", "hidden") for check in collect(assignment, suite))


def mutate(assignment, args) -> tuple[list[Mutant], list[Mutant]]:
    """Generate, judge and grade one assignment's mutants; print its table. (all mutants, the graded ones)"""
    started = time.monotonic()
    source = assignment.solution.read_text(encoding="utf-8")
    mutants = generate(source)
    tasks = assignment.task_names
    chosen = [m for task in tasks for m in spread([m for m in mutants if m.function == task], args.sample)]
    # A helper's mutants (e.g. _per_sample's) belong to the tasks the oracle finds them touching.
    chosen += spread([m for m in mutants if m.function not in tasks], args.sample)
    for mutant in mutants:
        mutant.assignment = assignment.id
    reference = load(source, "reference")
    oracle = oracle_for(assignment)
    cases = recorded_cases(assignment.id) + (oracle(tasks) if oracle else [])
    expected = {(i, seed): run_case(reference, f, a, seed) for i, (f, a) in enumerate(cases) for seed in (0, 1)}
    for mutant in chosen:
        judge(mutant, reference, cases, expected)
    with tempfile.TemporaryDirectory(prefix="mutants-") as folder:
        grade_mutants(assignment, chosen, Path(folder), args.jobs, progress=not args.quiet)
    for mutant in chosen:
        classify(mutant)
    print(f"({time.monotonic() - started:.0f} s)")
    report(mutants, chosen, tasks + sorted({m.function for m in mutants} - set(tasks)), summary=False)
    return mutants, chosen


if __name__ == "__main__":
    sys.exit(main())
