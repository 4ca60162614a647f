"""The sandbox has one door: nothing above it imports its inner modules, and autograder/ has no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import autograder
from autograder import sandbox

PACKAGE = Path(autograder.__file__).parent
SANDBOX = "autograder.sandbox"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports: ``from a import b`` counts as ``a.b`` when ``a.b`` is a module."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {module for module in found if module in MODULES}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """Each module of autograder/ and the project modules it imports (parsed when a test asks, not at collection)."""
    return {name: imported(name, path) for name, path in MODULES.items()}


def test_nothing_above_the_sandbox_imports_its_inner_modules(graph):
    """every module outside autograder/sandbox imports the sandbox only through autograder.sandbox itself."""
    reaching_in = {
        name: sorted(module for module in modules if module.startswith(f"{SANDBOX}."))
        for name, modules in graph.items()
        if not (name == SANDBOX or name.startswith(f"{SANDBOX}."))
    }
    assert {name: modules for name, modules in reaching_in.items() if modules} == {}


def test_autograder_has_no_import_cycle(graph):
    """no module of autograder/ imports, through any chain of imports, itself (a package's own face aside)."""
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for module in sorted(graph[name]):
            # A package's __init__ that re-exports its modules is imported by them as their parent: not an edge.
            if name.startswith(f"{module}."):
                continue
            if state.get(module) == 1:
                cycles.append([*path[path.index(module) :], module])
            elif module not in state:
                visit(module, [*path, module])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_door_exports_what_it_lists():
    """every name the door lists is there, among them the limits, the policy, the worker and the protections."""
    assert all(hasattr(sandbox, name) for name in sandbox.__all__)
    assert {"Limits", "Sandbox", "open_worker", "describe_protections"} <= set(sandbox.__all__)


def test_the_graph_sees_the_imports_it_judges(graph):
    """the checker reads real edges: grade.py is seen to import the door, and the proxy its channel."""
    assert SANDBOX in graph["autograder.grade"]
    assert f"{SANDBOX}.channel" in graph[f"{SANDBOX}.proxy"]
