"""The engine names no assignment: a new chapter needs no edit outside autograder/suites/."""

import re

from suite_totals import ASSIGNMENTS

from autograder.course import PROJECT_ROOT

ENGINE = PROJECT_ROOT / "autograder"
# The engine's code and the files it writes from templates, and the project's own commands.
SCANNED = [p for p in sorted(ENGINE.rglob("*.py")) if ENGINE / "suites" not in p.parents] + [PROJECT_ROOT / "Makefile"]


def course_names():
    """Every assignment id, module and task of course.toml, as a whole word."""
    names = {name for a in ASSIGNMENTS for name in (a.id, a.module, *a.task_names)}
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")


def test_engine_code_names_no_assignment_module_or_task():
    """no engine file outside suites/ (nor the Makefile) names an assignment id, module or task of the manifest."""
    pattern = course_names()
    hits = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {match.group(0)}"
        for path in SCANNED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in pattern.finditer(line)
    ]
    assert hits == []


def test_the_scan_would_find_a_name():
    """the pattern matches each assignment's id, module and first task, and not a longer word around them."""
    pattern = course_names()
    for assignment in ASSIGNMENTS:
        for name in (assignment.id, assignment.module, assignment.task_names[0]):
            assert pattern.search(f"x = {name}(1)")
            assert not pattern.search(f"x = {name}_extra_suffix")
