"""``make hint TASK=name`` (``python -m autograder hint ASSIGNMENT TASK``): the next hint for a task.

The hints are the ``hints`` lists of course.toml, gentlest first. How many of
each task's hints were shown is kept in a small JSON file under build/, so each
call gives the next one; ``--reset`` (``make hint TASK=<task> RESET=1``) starts
a task (or, without a task, all of them) from the first hint again.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

from autograder.course import PROJECT_ROOT, Assignment, UnknownAssignment, get_assignment, make_command

STATE = PROJECT_ROOT / "build" / "hints_shown.json"


class UnknownTask(KeyError):
    """The task named is not one of the assignment's."""


def add_command(commands) -> None:
    parser = commands.add_parser("hint", help="show the next hint for a task (make hint TASK=name)")
    parser.add_argument("assignment", help="assignment id (course.toml)")
    parser.add_argument("task", nargs="?", default=None, help="the function you are writing (a task of the assignment)")
    parser.add_argument(
        "--reset", action="store_true", help="start again from the first hint (for the task, or for every task)"
    )
    parser.set_defaults(run=run_hint)


def run_hint(args) -> int:
    try:
        assignment = get_assignment(args.assignment)
        if args.reset:
            reset(assignment, args.task, STATE)
            print(f"hints for {args.task or 'every task'} start again from the first one")
            return 0
        if args.task is None:
            raise UnknownTask(f"name a task: {task_list(assignment)}")
        print(next_hint(assignment, args.task, STATE))
    except (UnknownAssignment, UnknownTask) as error:
        print(f"autograder hint: {error.args[0]}", file=sys.stderr)
        return 2
    return 0


def next_hint(assignment: Assignment, task_name: str, state: Path) -> str:
    """The text to show for the next unseen hint of ``task_name``, and remember it was shown."""
    hints = _task(assignment, task_name).hints
    shown_counts = _load(state)
    key = f"{assignment.id}/{task_name}"
    shown = min(int(shown_counts.get(key, 0)), len(hints))
    if not hints:
        return f"{task_name} has no hints."
    if shown == len(hints):
        listed = "\n".join(_numbered(i, len(hints), hint) for i, hint in enumerate(hints))
        return (
            f"All {len(hints)} hints for {task_name} have been shown; here they are again:\n{listed}\n"
            f"({make_command('hint', assignment, TASK=task_name, RESET=1)} starts over)"
        )
    shown_counts[key] = shown + 1
    _save(state, shown_counts)
    text = _numbered(shown, len(hints), hints[shown])
    if shown + 1 < len(hints):
        return f"{text}\n(ask again for a stronger hint)"
    return f"{text}\n(that was the last hint for {task_name})"


def reset(assignment: Assignment, task_name: str | None, state: Path) -> None:
    """Forget which hints were shown, for one task or for the whole assignment."""
    if task_name is not None:
        _task(assignment, task_name)
    shown_counts = _load(state)
    prefix = f"{assignment.id}/"
    for key in list(shown_counts):
        if key == f"{prefix}{task_name}" or (task_name is None and key.startswith(prefix)):
            del shown_counts[key]
    _save(state, shown_counts)


def task_list(assignment: Assignment) -> str:
    return ", ".join(f"{task.name} ({len(task.hints)} hints)" for task in assignment.tasks)


def _task(assignment: Assignment, task_name: str):
    for task in assignment.tasks:
        if task.name == task_name:
            return task
    raise UnknownTask(f"{assignment.id} has no task {task_name!r}; its tasks are {task_list(assignment)}")


def _numbered(index: int, total: int, hint: str) -> str:
    return textwrap.fill(hint, width=88, initial_indent=f"Hint {index + 1} of {total}: ", subsequent_indent="  ")


def _load(state: Path) -> dict:
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no file yet, or one that was damaged: start from the first hints
    return data if isinstance(data, dict) else {}


def _save(state: Path, data: dict) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    partial = state.with_suffix(".tmp")
    partial.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, state)
