"""The engine names no assignment: a new chapter needs no edit outside autograder/suites/.

What counts is what the engine's code does, read with ``ast``: a name it
defines, binds, calls or imports, or a string it uses, that is an assignment's
id, module or task. Comments and docstrings may mention anything, and another
library's attribute (``np.clip``) is that library's word, not a course's: an
assignment whose module is ``clip`` must not trip over NumPy.
"""

from __future__ import annotations

import ast
import re
import textwrap

from suite_totals import ASSIGNMENTS

from autograder.course import PROJECT_ROOT

ENGINE = PROJECT_ROOT / "autograder"
# The engine's code and the files it writes from templates.
SCANNED = [p for p in sorted(ENGINE.rglob("*.py")) if ENGINE / "suites" not in p.parents]
MAKEFILE = PROJECT_ROOT / "Makefile"


def course_names(assignments=ASSIGNMENTS) -> set[str]:
    """Every assignment id, module and task of course.toml."""
    return {name for a in assignments for name in (a.id, a.module, *a.task_names)}


def _in_text(names: set[str]) -> re.Pattern:
    """A name as a word of its own in text: not part of a longer name, not an attribute (``np.clip``)."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])({alternatives})(?!\w)")


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that are docstrings (of the module, a class or a function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _other_libraries(tree: ast.AST) -> set[str]:
    """Names this module binds to modules that are not the engine's (``np``, ``os``, ``pytest``)."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound |= {alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "autograder"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and not (node.module or "").startswith("autograder"):
            bound |= {alias.asname or alias.name for alias in node.names}
    return bound


def _root(node: ast.Attribute) -> ast.AST:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def names_in_code(source: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) for each identifier or string of ``source`` that is, or holds, one of ``names``."""
    tree = ast.parse(source)
    docstrings, libraries, text = _docstrings(tree), _other_libraries(tree), _in_text(names)
    hits = []
    for node in ast.walk(tree):
        identifiers: list[str] = []
        if isinstance(node, ast.Name):
            identifiers = [node.id]
        elif isinstance(node, ast.Attribute):
            root = _root(node)
            if not (isinstance(root, ast.Name) and root.id in libraries):
                identifiers = [node.attr]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            identifiers = [node.name]
        elif isinstance(node, ast.arg):
            identifiers = [node.arg]
        elif isinstance(node, ast.keyword) and node.arg:
            identifiers = [node.arg]
        elif isinstance(node, ast.alias):
            identifiers = [*node.name.split("."), node.asname or ""]
        elif isinstance(node, ast.ImportFrom):
            identifiers = (node.module or "").split(".")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            hits += [(node.lineno, match.group(1)) for match in text.finditer(node.value)]
        hits += [(getattr(node, "lineno", 0), name) for name in identifiers if name in names]
    return sorted(set(hits))


def names_in_makefile(text: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) for each name the Makefile's rules and variables use (its comments are free)."""
    pattern = _in_text(names)
    return [
        (number, match.group(1))
        for number, line in enumerate(text.splitlines(), start=1)
        for match in pattern.finditer(line.split("#", 1)[0])
    ]


def test_engine_code_names_no_assignment_module_or_task():
    """no engine file outside suites/ (nor the Makefile) names an assignment id, module or task in its code."""
    names = course_names()
    hits = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {name}"
        for path in SCANNED
        for line, name in names_in_code(path.read_text(encoding="utf-8"), names)
    ]
    hits += [f"Makefile:{line}: {name}" for line, name in names_in_makefile(MAKEFILE.read_text(), names)]
    assert hits == []


PLANTED = '''\
"""Grades clip_values (a docstring may say so)."""

import numpy as np
from autograder.course import get_assignment

FIRST = "ch01_forward"  # the id in a string


def grade(submission, add_noise):
    # clip_values and add_noise in a comment are fine
    x = np.clip(submission.cosine_schedule(3), 0, 1)  # np.clip is NumPy's
    path = f"solutions/{FIRST}/forward.py"
    return get_assignment("clip_values"), x, path
'''


def test_the_scan_finds_a_planted_name_and_nothing_else():
    """a planted engine module is caught for its ids, tasks and file names, not for comments, docstrings or np.clip."""
    names = {"ch01_forward", "forward", "cosine_schedule", "add_noise", "clip_values", "clip"}
    assert names_in_code(PLANTED, names) == [
        (6, "ch01_forward"),
        (9, "add_noise"),
        (11, "cosine_schedule"),
        (12, "forward"),
        (13, "clip_values"),
    ]


def test_the_scan_sees_every_assignment_of_the_course():
    """each assignment's id, module and first task, used in code, is found; a longer name around them is not."""
    names = course_names()
    for assignment in ASSIGNMENTS:
        for name in (assignment.id, assignment.module, assignment.task_names[0]):
            code = textwrap.dedent(f"""\
                x = {name}(1)
                y = "{name}"
                z = {name}_extra_suffix
                w = "{name}_extra_suffix"
            """)
            assert names_in_code(code, names) == [(1, name), (2, name)]


def test_the_makefile_scan_skips_comments_only():
    """a name in a Makefile rule is found; the same name in a comment is not."""
    text = "grade:  # grades add_noise\n\t$(PY) -m autograder grade ch01_forward\n"
    assert names_in_makefile(text, {"add_noise", "ch01_forward"}) == [(2, "ch01_forward")]
