"""Each preprocessor of the notebook build, one test each, and the notebook they compose."""

import ast
import contextlib
import dataclasses
import io
import re
import sys

import nbformat
import pytest
from suite_totals import points

from autograder.channels.notebook import preprocessors as steps
from autograder.channels.notebook.build import PREPROCESSORS, build_notebook
from autograder.channels.notebook.checks import collect
from autograder.channels.notebook.sources import public_support
from autograder.course import PROJECT_ROOT, NotebookExtras, load_course


@pytest.fixture
def draft(ch01):
    return steps.Draft(ch01)


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


def test_instructions_give_title_readme_and_each_task(draft, ch01):
    """the introduction has the title and the README's schedule section; each task gets its TODO and hints."""
    steps.instructions(draft)
    intro = draft.intro[0].source
    assert intro.startswith(f"# {ch01.title}") and "## Timesteps and the schedule" in intro
    assert "## Working on it" not in intro  # about forward.py and make, not the notebook
    for task in ch01.tasks:
        text = draft.tasks[task.name][0].source
        assert task.todo[1:] in text and all(hint in text for hint in task.hints)
        assert _meta(draft.tasks[task.name][0])["locked"]


def test_setup_holds_the_references_imports(draft):
    """the set-up cell imports what the reference imports, and is read-only."""
    steps.setup(draft)
    assert draft.setup[0].source == "import numpy as np" and _meta(draft.setup[0])["locked"]


def test_solutions_keep_the_markers_and_take_in_the_helper(draft, ch01):
    """each task's cell is its reference function with one solution region; the helper rides in the first user's."""
    steps.solutions(draft)
    for name in ch01.task_names:
        cell = draft.tasks[name][0]
        assert _meta(cell)["solution"] and _meta(cell)["grade_id"] == name
        assert cell.source.startswith(f"def {name}(")
        assert cell.source.count("### BEGIN SOLUTION") == cell.source.count("### END SOLUTION") == 1
    assert "def _per_sample(" in draft.tasks["add_noise"][0].source
    namespace = {}
    exec("import numpy as np\n" + "\n\n".join(draft.tasks[n][0].source for n in ch01.task_names), namespace)
    assert namespace["cosine_schedule"](4).shape == (5,)


def test_visible_tests_are_the_public_tests_with_their_points(draft, ch01):
    """one graded cell per public test under its task, runnable with the set-up cell alone."""
    steps.visible_tests(draft)
    public = collect(ch01, "public")
    cells = [c for section in draft.tasks.values() for c in section]
    assert [(_meta(c)["grade_id"], _meta(c)["points"]) for c in cells] == [(c.grade_id, c.points) for c in public]
    assert "from autograder" not in draft.setup[0].source  # students' kernels do not have the course package
    namespace = {}
    exec(draft.setup[0].source, namespace)
    exec(ch01.solution.read_text(encoding="utf-8"), namespace)
    for cell in cells:
        exec(cell.source, namespace)  # raises if a public test fails on the reference


def test_hidden_tests_one_cell_per_check_and_case(draft, ch01):
    """one graded cell per hidden check and parameter case, each naming its check and holding no code."""
    steps.hidden_tests(draft)
    hidden = collect(ch01, "hidden")
    cells = {_meta(c)["grade_id"]: c for section in draft.tasks.values() for c in section}
    assert len(cells) == len(hidden)
    assert sum(_meta(c)["points"] for c in cells.values()) == sum(c.points for c in hidden)
    for check in hidden:
        source = cells[check.grade_id].source
        assert source.startswith(f"# Hidden check, {check.points:g} point(s): {check.name}\n")
        # Nothing for a kernel to run: the check runs in the grader, never in the notebook.
        assert ast.parse(source).body == []


def test_closing_cells_are_the_declared_file_text_as_markdown_and_blocks_as_code(draft, ch01):
    """the closing cells come from the file course.toml names: prose as markdown, python blocks as free code."""
    steps.closing_cells(draft)
    text = ch01.notebook.closing.read_text()
    kinds = [cell.cell_type for cell in draft.closing]
    assert kinds == ["markdown", "code"]
    assert draft.closing[0].source in text and draft.closing[1].source in text
    assert "nbgrader" not in draft.closing[1].metadata  # students may change it
    assert all(f.name in draft.closing[1].source for f in ch01.notebook.files)


def test_no_closing_cells_when_none_are_declared(ch01):
    """an assignment that declares no closing file gets no closing cells and no extra files."""
    bare = dataclasses.replace(ch01, notebook=NotebookExtras())
    draft = steps.Draft(bare)
    steps.closing_cells(draft)
    assert draft.closing == []


@pytest.mark.slow
def test_composed_notebook_is_valid_and_worth_the_graders_points(ch01):
    """the preprocessors compose into a valid notebook worth every check's points; on the reference no check fails."""
    notebook = build_notebook(ch01)
    nbformat.validate(notebook)
    assert len(PREPROCESSORS) == 6
    graded = [c for c in notebook.cells if _meta(c).get("grade")]
    checks = collect(ch01, "public") + collect(ch01, "hidden")
    assert sum(_meta(c)["points"] for c in graded) == sum(c.points for c in checks) == points(ch01)
    namespace, errors = {}, io.StringIO()
    with contextlib.redirect_stderr(errors):
        for cell in notebook.cells[:-1]:  # all but the figure
            if cell.cell_type == "code":
                exec(cell.source, namespace)
    assert errors.getvalue() == ""


def test_the_docs_name_every_package_the_students_notebook_imports(ch01):
    """docs/nbgrader.md lists what students' kernels need: exactly what the released cells import beyond the stdlib."""
    imported = set()
    for cell in build_notebook(ch01).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    doc = (PROJECT_ROOT / "docs" / "nbgrader.md").read_text(encoding="utf-8")
    listed = doc.split("<!-- kernel-packages:")[1].split("<!-- end of kernel-packages -->")[0]
    documented = set(re.findall(r"`(\w+)`", listed))
    assert imported - set(sys.stdlib_module_names) == documented - {"ipykernel"}


@pytest.mark.parametrize("assignment", list(load_course().values()), ids=lambda a: a.id)
def test_the_public_tests_support_is_copied_whole_from_the_engine(assignment):
    """what the public tests import from the engine, and what that imports from it in turn, is copied, and runs."""
    code = public_support(assignment.public_tests.read_text(encoding="utf-8"))
    tree = ast.parse(code)
    assert not any(
        isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder") for node in ast.walk(tree)
    )
    namespace: dict = {}
    exec(compile(tree, f"{assignment.id} support", "exec"), namespace)
    assert callable(namespace.get("assert_close"))
