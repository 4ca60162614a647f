"""`make test-pythons`: the project's suite under every supported Python found on this machine.

Each session is a fresh virtualenv (made by uv) with the project installed at
the pins of requirements.lock for that Python, then runs pytest, so every
line of the lock is tested where it applies. Interpreters are looked up on
PATH and under pyenv's versions folder; a Python that is not there is skipped.

    make test-pythons                     # every supported Python
    make test-pythons PYTHONS=3.10        # one of them
    .venv/bin/nox -s tests-3.12 -- -x tests/test_gradescope.py
"""

import os
from pathlib import Path

import nox

SUPPORTED = ["3.10", "3.11", "3.12", "3.13"]
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"  # the lock decides what is installed; reinstalling it is a no-op


def _interpreter_folders() -> list[str]:
    """pyenv's real interpreters (its shims on PATH answer only for the version pyenv has selected)."""
    folders = []
    for version in SUPPORTED:
        found = sorted(PYENV_VERSIONS.glob(f"{version}.*/bin/python{version}"))
        if found:
            folders.append(str(found[-1].parent))
    return folders


os.environ["PATH"] = os.pathsep.join([*_interpreter_folders(), os.environ.get("PATH", "")])


@nox.session(python=SUPPORTED)
def tests(session: nox.Session) -> None:
    """The whole suite (pytest) with the lock's pins, the nbgrader extra included."""
    session.install("-c", "requirements.lock", "-e", ".[dev,nbgrader]")
    session.run("python", "-m", "pytest", *session.posargs)
