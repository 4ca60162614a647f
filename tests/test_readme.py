"""README.md states no figure of the suites by hand: its table of points is made from them, and its example
commands name assignments and tasks that course.toml has."""

import re

from readme_points import BEGIN, END, README, block_in, points_table

from autograder.course import load_course


def test_the_readme_table_is_the_one_the_suites_make():
    """the table between the markers is what `make readme-points` makes now, one row per assignment of course.toml."""
    table = block_in(README.read_text(encoding="utf-8"))
    assert table == points_table(), "README.md's points are stale: run `make readme-points`"
    for assignment in load_course().values():
        assert f"(`{assignment.id}`)" in table


def test_no_point_figure_outside_the_table():
    """outside the made table, the README gives no number of points but 0: a total written by hand goes stale."""
    text = README.read_text(encoding="utf-8")
    outside = text.split(BEGIN)[0] + text.split(END)[1]
    figures = re.findall(r"\b(\d+(?:\.\d+)?)\s+(?:points|in the public|in the hidden)\b", outside)
    assert [figure for figure in figures if float(figure) != 0] == []


def test_every_example_command_names_an_assignment_and_task_of_the_course():
    """each ASSIGNMENT= in the README is an id of course.toml, and each TASK= a task of that assignment."""
    course = load_course()
    first = next(iter(course.values()))
    commands = re.findall(r"make [^`\n|]*", README.read_text(encoding="utf-8"))
    named = [c for c in commands if "ASSIGNMENT=" in c or "TASK=" in c]
    assert any("ASSIGNMENT=" in c for c in named)
    for command in named:
        chosen = re.search(r"ASSIGNMENT=(\w+)", command)
        assignment = course[chosen[1]] if chosen else first
        task = re.search(r"TASK=(\w+)", command)
        if task and task[1] != "name":  # `TASK=name` is the help text's placeholder
            assert task[1] in assignment.task_names, command
