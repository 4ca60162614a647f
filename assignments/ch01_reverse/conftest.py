"""Lets `make check` run the public tests on reverse.py in this folder, with pytest.

(`make check` uses the repository's .venv, where pytest and the grader are
installed.) The tests see your module as the `submission` fixture;
`submission.seed(s)` is `np.random.seed(s)`. `make grade` runs the same tests
with your code in a separate process instead. (This file is generated: `make
stubs` writes it.)
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest


class _Direct:
    def __init__(self, module):
        self._module = module

    def seed(self, seed):
        np.random.seed(seed)

    def __getattr__(self, name):
        return getattr(self._module, name)


@pytest.fixture(scope="session")
def submission():
    spec = importlib.util.spec_from_file_location("reverse", Path(__file__).with_name("reverse.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return _Direct(module)


def pytest_configure(config):
    for line in (
        "task(name): the function a test checks",
        "points(n): what a test is worth",
        "visibility(v): who sees the result",
    ):
        config.addinivalue_line("markers", line)
