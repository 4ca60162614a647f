"""The versions a grade depends on: the interpreter and every installed package grading has loaded.

A grade can change with NumPy (the arithmetic and the random streams), pytest
and pluggy (how checks are collected and run) or any other package the grader
or a suite imports; results.json records them all, so two grades can be
compared and a disputed one reproduced with the same pins (requirements.lock).
"""

from __future__ import annotations

import importlib.metadata
import platform
import sys
from functools import cache
from pathlib import Path

# Loaded by setuptools' .pth file when the interpreter starts, never used by grading.
START_UP_HOOKS = {"_distutils_hack"}
OWN_DISTRIBUTION = "diffusion-course"
PROJECT = Path(__file__).resolve().parent.parent


@cache
def _owners(module: str) -> tuple[str, ...]:
    """The distribution that installed top-level ``module``: the one of the same name, or
    the one whose file list holds it (``_pytest`` and ``py`` are pytest's). Reading the
    lists of one folder's distributions costs milliseconds; mapping every installed
    package (``packages_distributions``) costs a fifth of a second."""
    try:
        return (importlib.metadata.distribution(module).metadata["Name"],)
    except importlib.metadata.PackageNotFoundError:
        pass
    file = getattr(sys.modules.get(module), "__file__", None)
    if not file:
        return ()  # built into the interpreter or into another package's extension
    path = Path(file).resolve()
    top = path.parent if path.name == "__init__.py" else path
    if PROJECT == top or PROJECT in top.parents:
        return ()  # the project's own code, the suites among it
    listed = f"{top.name}/" if top.is_dir() else f"{top.name},"
    for distribution in importlib.metadata.distributions(path=[str(top.parent)]):
        files = distribution.read_text("RECORD") or ""
        if any(line.startswith(listed) for line in files.splitlines()):
            return (distribution.metadata["Name"],)
    return ()


def loaded_package_versions() -> dict[str, str]:
    """``{"python": "3.11.7", "numpy": "2.4.6", "pytest": ..., ...}`` for what this process has imported."""
    # An entry of None is an import marked as failing (channels/notebook's UNUSED_SLOW_IMPORTS), nothing loaded.
    top_level = frozenset(name for name, module in list(sys.modules.items()) if "." not in name and module is not None)
    return dict(_versions_of(top_level))


@cache
def _versions_of(top_level: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The versions for one set of loaded top-level modules: the same set in every grading of a process."""
    names = {
        distribution
        for module in top_level
        if module not in sys.stdlib_module_names and module not in START_UP_HOOKS
        for distribution in _owners(module)
        if distribution != OWN_DISTRIBUTION
    }
    versions = {"python": platform.python_version()}
    for name in sorted(names, key=str.lower):
        try:
            versions[name.lower()] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # a module left behind by an uninstalled package
            continue
    return tuple(versions.items())
