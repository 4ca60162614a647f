"""Lets pytest run the public checks on forward.py in this folder (`make check`).

The checks see your module as the `submission` fixture, called in this process;
`submission.seed(s)` is `np.random.seed(s)`. The grader (`make grade`) runs the
same checks with your code in a separate process instead.
"""

import importlib.util
from pathlib import Path

import pytest

from autograder.plugin import MARKERS, InProcess


@pytest.fixture(scope="session")
def submission():
    spec = importlib.util.spec_from_file_location("forward", Path(__file__).with_name("forward.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return InProcess(module)


def pytest_configure(config):
    for line in MARKERS:
        config.addinivalue_line("markers", line)
