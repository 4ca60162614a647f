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

# Loaded by setuptools' .pth file when the interpreter starts, never used by grading.
START_UP_HOOKS = {"_distutils_hack"}
OWN_DISTRIBUTION = "diffusion-course"


@cache
def _distributions_by_module() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


@cache
def _same_name(module: str) -> tuple[str, ...]:
    try:
        return (importlib.metadata.distribution(module).metadata["Name"],)
    except importlib.metadata.PackageNotFoundError:
        return ()


def loaded_package_versions() -> dict[str, str]:
    """``{"python": "3.11.7", "numpy": "2.4.6", "pytest": ..., ...}`` for what this process has imported."""
    by_module = _distributions_by_module()
    names = {
        distribution
        for module in list(sys.modules)
        if "." not in module and module not in sys.stdlib_module_names and module not in START_UP_HOOKS
        # Python 3.10 maps modules only through top_level.txt, which NumPy's wheels lack:
        # a module is then taken to be its distribution's name.
        for distribution in by_module.get(module) or _same_name(module)
        if distribution != OWN_DISTRIBUTION
    }
    versions = {"python": platform.python_version()}
    for name in sorted(names, key=str.lower):
        try:
            versions[name.lower()] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # a module left behind by an uninstalled package
            continue
    return versions
