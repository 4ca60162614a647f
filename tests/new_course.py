"""A copy of the course with two throwaway assignments added the way an author adds one.

The author adds only what docs/authoring.md lists: a block in course.toml, the
reference, the README and public tests, the hidden suite with a helper beside
it (no ``__init__.py``, no conftest). Everything else comes from the engine
(``python -m autograder stubs`` writes the stub). Commands run as
``python -m autograder ...`` in the copy, so the copy's engine and manifest
are the ones used.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from autograder.course import PROJECT_ROOT

TOY = "toy_spread"
MODULE = "spread"
TASKS = ("summed_variance", "scaled")
# What the author writes, file by file (paths relative to the course's root).
MANIFEST_BLOCK = f'''
[[assignments]]
id = "{TOY}"
title = "A second assignment: how spread adds up"
module = "{MODULE}"
folder = "assignments/{TOY}"
solution = "solutions/{TOY}/{MODULE}.py"
public_tests = "assignments/{TOY}/test_{MODULE}.py"
hidden_tests = "autograder/suites/{TOY}"

[[assignments.tasks]]
name = "summed_variance"
todo = "return the variance of a sum of independent noises with these standard deviations."
hints = ["Variances add, standard deviations do not.", "Square each, then sum: float(np.sum(np.square(stds)))."]

[[assignments.tasks]]
name = "scaled"
todo = "return x multiplied by factor, as a new float64 array."
hints = ["np.asarray(x, dtype=np.float64) * factor."]
'''
SOLUTION = '''\
"""How spread adds up: two small functions."""

import numpy as np


def summed_variance(stds):
    """The variance of a sum of independent zero-mean noises.

    Args:
        stds: a sequence of standard deviations (floats >= 0).

    Returns:
        float: the sum of their squares.
    """
    ### BEGIN SOLUTION
    return float(np.sum(np.square(np.asarray(stds, dtype=np.float64))))
    ### END SOLUTION


def scaled(x, factor):
    """x times factor.

    Args:
        x: np.ndarray of any shape; not modified.
        factor: float.

    Returns:
        np.ndarray of x's shape, float64.
    """
    ### BEGIN SOLUTION
    return np.asarray(x, dtype=np.float64) * factor
    ### END SOLUTION
'''
README = f"""\
# How spread adds up

Write `summed_variance` and `scaled` in `{MODULE}.py`.

## Why

Independent noises add their variances.
"""
PUBLIC_TESTS = f'''\
"""Public tests of {MODULE}.py."""

import numpy as np
import pytest


@pytest.mark.task("summed_variance")
@pytest.mark.points(1)
def test_two_unit_noises_have_variance_two(submission):
    """two unit noises add up to variance 2."""
    assert submission.summed_variance([1.0, 1.0]) == pytest.approx(2.0), "variances add"


@pytest.mark.task("scaled")
@pytest.mark.points(1)
def test_scaled_doubles(submission):
    """scaled(x, 2) is 2 x."""
    assert np.allclose(submission.scaled(np.ones(3), 2.0), 2.0), "scaled(ones, 2) should be twos"
'''
HELPER = """\
STDS = [[3.0, 4.0], [0.5, 0.5, 0.5, 0.5], [2.0]]
"""
HIDDEN = {
    "test_summed_variance.py": f'''\
"""Hidden checks of summed_variance."""

import pytest

from autograder.suites.{TOY}.cases import STDS

pytestmark = pytest.mark.task("summed_variance")


@pytest.mark.points(2)
@pytest.mark.parametrize("stds", STDS)
def test_matches_the_reference(submission, reference, stds):
    """the variance of the sum is the sum of the variances."""
    expected = reference.summed_variance(stds)
    got = submission.summed_variance(stds)
    assert got == pytest.approx(expected), f"summed_variance({{stds}}) returned {{got}}, expected {{expected}}"
''',
    "test_scaled.py": '''\
"""Hidden checks of scaled."""

import numpy as np
import pytest

pytestmark = pytest.mark.task("scaled")


@pytest.mark.points(3)
def test_scales_a_matrix(submission, reference):
    """scaled works on a 2-D array."""
    x = np.arange(6.0).reshape(2, 3)
    assert np.allclose(submission.scaled(x, -1.5), reference.scaled(x, -1.5)), "scaled(x, -1.5) is wrong"
''',
}
# The files above, by path: exactly the contract's list.
AUTHORED = (
    "course.toml",
    f"solutions/{TOY}/{MODULE}.py",
    f"assignments/{TOY}/README.md",
    f"assignments/{TOY}/test_{MODULE}.py",
    f"autograder/suites/{TOY}/cases.py",
    *(f"autograder/suites/{TOY}/{name}" for name in HIDDEN),
)
# The one-function assignment docs/authoring.md walks through, read from that page: its hint
# quotes its solution line, and its solution opens with an idiom that a public file of another
# assignment (ch01_forward's figures.py) holds too. Neither may refuse the release.
CLIP = "clip_values"
CLIP_MODULE = "clip"
WALK = PROJECT_ROOT / "docs" / "authoring.md"
WALK_SECTION = "## A complete tiny assignment, step by step"
# A paragraph that opens with a file's path in backticks and ends with a colon, then that file's text.
FILE_BLOCK = re.compile(r"^`(?P<path>[^`\s]+)`(?:(?!\n\n).)*:\n\n```\w*\n(?P<text>.*?)^```$", re.MULTILINE | re.DOTALL)


def walked_files() -> dict[str, str]:
    """The files the walk of docs/authoring.md shows, by path (course.toml: the block it appends)."""
    text = WALK.read_text(encoding="utf-8")
    section = text[text.index(WALK_SECTION) :]
    section = section[: section.index("\n## ", len(WALK_SECTION))]
    return {match["path"]: match["text"] for match in FILE_BLOCK.finditer(section)}


# What the course is made of: a fresh clone without the project's own tests, benchmarks and docs.
NOT_COPIED = ("tests/", "benchmarks/", "docs/", ".ci/")


def course_files() -> list[str]:
    """The project's files (tracked, or new and not ignored), as a clone would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    names = [name for name in listed.split("\0") if name and not name.startswith(NOT_COPIED)]
    return [name for name in names if (PROJECT_ROOT / name).is_file()]


def make_course(root: Path) -> Path:
    """Copy the course to ``root`` and add the throwaway assignment as its author would."""
    for name in course_files():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, root / name)
    walked = walked_files()
    with (root / "course.toml").open("a", encoding="utf-8") as manifest:
        manifest.write(MANIFEST_BLOCK + "\n" + walked.pop("course.toml"))
    files = {
        **walked,
        f"solutions/{TOY}/{MODULE}.py": SOLUTION,
        f"assignments/{TOY}/README.md": README,
        f"assignments/{TOY}/test_{MODULE}.py": PUBLIC_TESTS,
        f"autograder/suites/{TOY}/cases.py": HELPER,
        **{f"autograder/suites/{TOY}/{name}": text for name, text in HIDDEN.items()},
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    done = autograder(root, "stubs")
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def autograder(root: Path, *args: str, timeout: int = 300, **env) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS`` in the course at ``root``."""
    return run(root, sys.executable, "-m", "autograder", *args, timeout=timeout, **env)


def run(root: Path, *command: str, timeout: int = 300, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "MPLBACKEND": "Agg", **env}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        list(command), cwd=root, capture_output=True, text=True, timeout=timeout, check=False, env=environment
    )
