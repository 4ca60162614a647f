"""Importing a Python file of the course by its path, under a name the caller chooses."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def import_file(name: str, path: Path, *, register: bool = False) -> ModuleType:
    """Run ``path`` as the module ``name``; ``register`` keeps it in sys.modules (a failed run leaves none).

    Registering matters to files that define dataclasses, which look their
    module up while the file runs.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # a path without a .py suffix has no loader
        raise ImportError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        if register:
            sys.modules.pop(name, None)
        raise
    return module
