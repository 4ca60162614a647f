"""What engine code names: the identifiers and strings that are an assignment's id, module or task.

What counts is what the engine's code does, read with ``ast``: a name it
defines, binds, calls or imports, or a string it uses, that is an assignment's
id, module or task. Comments and docstrings may mention anything, and another
library's attribute (``np.clip``) is that library's word, not a course's: an
assignment whose module is ``clip`` must not trip over NumPy.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path


def engine_files(root: Path) -> list[Path]:
    """The engine's Python files under ``root`` (a project or a copy of it), its hidden suites left out."""
    engine = root / "autograder"
    return [p for p in sorted(engine.rglob("*.py")) if engine / "suites" not in p.parents]


def course_names(assignments) -> set[str]:
    """Every assignment id, module and task of these assignments."""
    return {name for a in assignments for name in (a.id, a.module, *a.task_names)}


def engine_hits(root: Path, names: set[str]) -> list[str]:
    """``path:line: name`` for every name the engine's code (and the Makefile's rules) under ``root`` uses."""
    hits = [
        f"{path.relative_to(root)}:{line}: {name}"
        for path in engine_files(root)
        for line, name in names_in_code(path.read_text(encoding="utf-8"), names)
    ]
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    return hits + [f"Makefile:{line}: {name}" for line, name in names_in_makefile(makefile, names)]


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
            hits += [(node.lineno, m.group(1)) for m in text.finditer(node.value) if _names_it(node.value, m)]
        hits += [(getattr(node, "lineno", 0), name) for name in identifiers if name in names]
    return sorted(set(hits))


def _names_it(value: str, match: re.Match) -> bool:
    """Whether a match in a string names the assignment rather than being a word of a sentence.

    A name with a digit or an underscore (``ch01_forward``, ``add_noise``) is an
    identifier wherever it stands. A plain word (a module called ``reverse`` or
    ``noise``) names the assignment only where it stands as code would: the whole
    string, a file or module (``reverse.py``, ``reverse.x``), a call, or part of a
    path (``solutions/reverse``); "in reverse order" is English.
    """
    name = match.group(1)
    if not name.isalpha() or value.strip() == name:
        return True
    after = value[match.end() : match.end() + 2]
    before = value[match.start() - 1 : match.start()]
    return before == "/" or after[:1] in {"(", "/"} or (after[:1] == "." and after[1:2].isalnum())


def names_in_makefile(text: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) for each name the Makefile's rules and variables use (its comments are free)."""
    pattern = _in_text(names)
    return [
        (number, match.group(1))
        for number, line in enumerate(text.splitlines(), start=1)
        for match in pattern.finditer(line.split("#", 1)[0])
    ]
