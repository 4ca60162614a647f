"""Pieces of the assignment's Python sources, cut out for notebook cells.

Everything a cell holds is taken from the files the pytest channel uses: the
reference's functions (with their solution markers), the public tests, and the
parts of ``autograder.checks`` those tests import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TypeGuard

from autograder.course import PROJECT_ROOT
from autograder.stubs import BEGIN, END


def imports(source: str) -> str:
    """The module's top-level import statements, in order."""
    tree = ast.parse(source)
    lines = source.splitlines()
    return "\n".join(_lines(lines, node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)))


def task_sources(source: str, task_names) -> dict[str, str]:
    """Each task's function, with its solution region, as one cell's source.

    A private helper that the reference keeps in a module-level solution region
    joins the region of the first task using it, so that nbgrader's solution
    stub removes the helper together with that function's body (a stub at
    module level would raise as soon as the cell runs).
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = [name for name in task_names if name not in functions]
    if missing:
        raise ValueError(f"the reference defines no function for task(s) {missing}")
    cells = {name: _lines(lines, functions[name]) for name in task_names}
    for helper, defined in _module_level_regions(lines):
        user = next(
            (name for name in task_names if any(re.search(rf"\b{re.escape(d)}\b", cells[name]) for d in defined)), None
        )
        if user is None:
            continue
        body = cells[user].rstrip().splitlines()
        if not body or body[-1].strip() != END:
            raise ValueError(f"{user}: its solution region must end the function to take the helper in")
        cells[user] = "\n".join([*body[:-1], "", "", *helper, END])
    return cells


def public_tests(source: str) -> dict[str, str]:
    """Each public test function's source, by name, without its pytest marks."""
    tree = ast.parse(source)
    lines = source.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def public_support(source: str) -> str:
    """What the public tests need around them: imports, constants, helpers.

    ``from autograder.<module> import name`` becomes the definition of ``name``
    (and what it uses) copied from that module, so the cell runs where the
    course's package is not installed.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    imported = {
        name
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not _from_the_course(node)
        for name in _defined_names(node)
    }
    header, parts = [], []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not _from_the_course(node):
            header.append(_lines(lines, node))
        elif _from_the_course(node):
            parts.append(definitions(_module_path(node.module), [alias.name for alias in node.names], known=imported))
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            continue
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        else:
            parts.append(_lines(lines, node))
    return _join(["\n".join(header), *parts])


def definitions(path: Path, names, known=()) -> str:
    """The top-level definitions of ``names`` in a module, and those they use, in source order.

    Names in ``known`` (already imported where the text goes) are left out;
    other imports they need come along. A name the module itself imports from
    the course's own package (``checks`` uses ``difference``) is copied from
    where it is defined, ahead of what uses it.
    """
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    defined = {}
    for node in tree.body:
        for name in _defined_names(node):
            defined[name] = node
    wanted, queue, borrowed = set(), list(names), []
    while queue:
        name = queue.pop()
        if name in wanted or name in known:
            continue
        if name not in defined:
            raise ValueError(f"{path.name} does not define {name!r}")
        node = defined[name]
        if _from_the_course(node):
            original = next(a.name for a in node.names if (a.asname or a.name) == name)
            borrowed.append(definitions(_module_path(node.module), [original], known=known))
            continue
        wanted.add(name)
        queue += [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in defined]
    nodes = sorted({id(defined[n]): defined[n] for n in wanted}.values(), key=lambda n: n.lineno)
    return _join([*dict.fromkeys(borrowed), *(_lines(lines, node) for node in nodes)])


def _module_level_regions(lines):
    """(lines, names defined) of each solution region that starts at column 0."""
    regions, current = [], None
    for line in lines:
        if line.rstrip() == BEGIN:
            current = []
        elif line.rstrip() == END and current is not None:
            regions.append((current, _defined_names_in("\n".join(current))))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def _defined_names_in(source: str) -> set[str]:
    return {name for node in ast.parse(source).body for name in _defined_names(node)}


def _defined_names(node) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    return []


def _from_the_course(node: ast.stmt) -> TypeGuard[ast.ImportFrom]:
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "autograder"


def _module_path(module: str | None) -> Path:
    # Called for the course's own modules only (_from_the_course), which always have a name.
    return PROJECT_ROOT.joinpath(*(module or "").split(".")).with_suffix(".py")


def _lines(lines, node) -> str:
    """The node's full source lines, from its first decorator to its end.

    Indented comment lines right after a block (such as ``### END SOLUTION``)
    belong to it, though Python's syntax tree ends the block before them.
    """
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    last = node.end_lineno
    while last < len(lines) and lines[last][:1].isspace() and lines[last].lstrip().startswith("#"):
        last += 1
    return "\n".join(lines[first - 1 : last])


def _join(parts) -> str:
    return "\n\n\n".join(part for part in parts if part.strip())
