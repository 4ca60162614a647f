"""A .venv of a Python the project does not run on never blocks the next command: the Makefiles refuse
such a PYTHON before writing anything, and make an existing .venv of one again.

Run on copies of the project's Makefile and of the student release's, in a temporary folder, with stand-in
interpreters: shell scripts that answer the version query as Python 3.9 or 3.11 would, make a
"virtualenv" holding a copy of themselves, and accept pip's commands without installing anything.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from autograder.channels.release import templates
from autograder.course import PROJECT_ROOT, tomllib

MINIMUM = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
STAND_IN = """\
#!/bin/sh
# Python {version}, as far as make can tell.
case "$1" in
  -c) echo "{major} {minor}" ;;
  -m) if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi ;;
esac
"""


def project_copy(folder):
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copyfile(PROJECT_ROOT / name, folder / name)


def release_copy(folder):
    makefile = templates.MAKEFILE.substitute(assignment="ch01_forward", example_task="add_noise")
    (folder / "Makefile").write_text(makefile)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "x"\nrequires-python = "{MINIMUM}"\n')
    (folder / "requirements.lock").write_text("")


@pytest.fixture(params=[project_copy, release_copy], ids=["project", "release"])
def folder(request, tmp_path):
    """A copy of one Makefile with what its virtualenv rule reads, and stand-ins for Python 3.9 and 3.11."""
    request.param(tmp_path)
    (tmp_path / "bin").mkdir()
    for major, minor in ((3, 9), (3, 11)):
        stand_in = tmp_path / "bin" / f"python{major}.{minor}"
        stand_in.write_text(STAND_IN.format(version=f"{major}.{minor}", major=major, minor=minor))
        stand_in.chmod(0o755)
    return tmp_path


def make(folder, python) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", ".venv/.installed", f"PYTHON={python}"],
        cwd=folder,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_stand_ins_answer_the_makefiles_version_query_as_a_real_python_does(folder):
    """the query the Makefiles send (read from the Makefile) gets "3 11"-style answers from Python and stand-ins."""
    query = re.search(r"-c '([^']*)'", (folder / "Makefile").read_text())[1]
    real = subprocess.run([sys.executable, "-c", query], capture_output=True, text=True, check=True)
    assert real.stdout == f"{sys.version_info[0]} {sys.version_info[1]}\n"
    stand_in = subprocess.run([folder / "bin" / "python3.9", "-c", query], capture_output=True, text=True, check=True)
    assert stand_in.stdout == "3 9\n"


def test_a_python_older_than_the_minimum_is_refused_before_anything_is_written(folder):
    """make with PYTHON=python3.9: exit 2, one message naming the version, the minimum and what to run; no .venv."""
    done = make(folder, "bin/python3.9")
    assert done.returncode == 2
    assert (
        "make: PYTHON=bin/python3.9 is Python 3.9; the project needs Python 3.10 or newer: "
        "install one and run make .venv/.installed PYTHON=python3.X with it"
    ) in done.stderr
    assert not (folder / ".venv").exists()


def test_a_python_that_does_not_run_is_refused_too(folder):
    """PYTHON naming no interpreter: exit 2 and the same message, not a crash of the venv step."""
    done = make(folder, "python3.nonexistent")
    assert done.returncode == 2 and "is a Python that does not run; the project needs Python" in done.stderr
    assert not (folder / ".venv").exists()


@pytest.mark.parametrize("left", ["python3.9", "nothing that runs"])
def test_a_venv_of_an_unsupported_python_is_made_again_by_the_next_command(folder, left):
    """a .venv left by Python 3.9 (or whose python no longer runs): the next make says so and makes it again."""
    if left == "python3.9":
        subprocess.run([folder / "bin" / "python3.9", "-m", "venv", ".venv"], cwd=folder, check=True)
    else:
        (folder / ".venv" / "bin").mkdir(parents=True)
    done = make(folder, folder / "bin" / "python3.11")
    assert done.returncode == 0, done.stdout + done.stderr
    said = "a Python that does not run" if left != "python3.9" else "Python 3.9"
    assert f"make: .venv holds {said}, which the project cannot use (it needs 3.10 or newer);" in done.stdout
    assert "# Python 3.11," in (folder / ".venv" / "bin" / "python").read_text()
    assert (folder / ".venv" / ".installed").exists()
    assert "making it again" not in make(folder, folder / "bin" / "python3.11").stdout  # once only


def test_a_venv_of_a_supported_python_is_kept(folder):
    """a .venv of Python 3.11 whose stamp is out of date is brought up to date in place, never removed."""
    subprocess.run([folder / "bin" / "python3.11", "-m", "venv", ".venv"], cwd=folder, check=True)
    (folder / ".venv" / "keep").write_text("")
    done = make(folder, folder / "bin" / "python3.11")
    assert done.returncode == 0 and "making it again" not in done.stdout
    assert (folder / ".venv" / "keep").exists()
