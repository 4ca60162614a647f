"""Every command is `python -m autograder <command>`, with help text, and the Makefile calls it that way."""

import re
import subprocess
import sys

import pytest

from autograder.cli import build_parser
from autograder.course import PROJECT_ROOT

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)
RECIPE = re.compile(r"^\t.*-m autograder(\S*)\s+(\S+)", re.MULTILINE)


def test_every_make_target_calls_a_command_of_python_m_autograder():
    """the Makefile runs the grader only as `python -m autograder <command>`, each command one the parser knows."""
    calls = RECIPE.findall((PROJECT_ROOT / "Makefile").read_text())
    assert calls
    assert [(module, command) for module, command in calls if module or command not in COMMANDS] == []


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    """`python -m autograder <command> --help` exits 0 and says what the command does."""
    done = subprocess.run(
        [sys.executable, "-m", "autograder", command, "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python -m autograder {command}")


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in ("stubs", "release")])
def test_an_unknown_assignment_is_one_line_and_exit_2(command, capsys):
    """every command given an assignment id that course.toml does not have says so in one line, exit 2."""
    from autograder.cli import main  # noqa: PLC0415

    args = {"grade-all": ["no_such_assignment", str(PROJECT_ROOT), "--out", "/nonexistent/out"]}
    code = main([command, *args.get(command, ["no_such_assignment"])])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "no assignment 'no_such_assignment'" in err[0]
