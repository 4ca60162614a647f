"""Every command is `python -m autograder <command>`, with help text, and the Makefile calls it that way."""

import re
import subprocess
import sys

import pytest

from autograder.cli import build_parser, main
from autograder.course import PROJECT_ROOT

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)
RECIPE = re.compile(r"^\t.*-m autograder(\S*)\s+(\S+)", re.MULTILINE)


def test_every_make_target_calls_a_command_of_python_m_autograder():
    """the Makefile runs the grader only as `python -m autograder <command>`, each command one the parser knows."""
    calls = RECIPE.findall((PROJECT_ROOT / "Makefile").read_text())
    assert calls
    assert [(module, command) for module, command in calls if module or command not in COMMANDS] == []


def test_python_m_autograder_lists_every_command():
    """`python -m autograder --help` in a fresh interpreter exits 0 and names every command."""
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m autograder")
    assert [command for command in COMMANDS if command not in done.stdout] == []


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    """`python -m autograder <command> --help` exits 0 and says what the command does."""
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m autograder {command}")


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in ("stubs", "release")])
def test_an_unknown_assignment_is_one_line_and_exit_2(command, capsys):
    """every command given an assignment id that course.toml does not have says so in one line, exit 2."""
    from autograder.cli import main  # noqa: PLC0415

    args = {"grade-all": ["no_such_assignment", str(PROJECT_ROOT), "--out", "/nonexistent/out"]}
    code = main([command, *args.get(command, ["no_such_assignment"])])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "no assignment 'no_such_assignment'" in err[0]
