"""The steps that build an assignment's notebook, one kind of cell each.

Every step takes the ``Draft`` and adds its cells: to the introduction, the
set-up, a task's section, or the closing. ``build.PREPROCESSORS`` lists them
in the order they run; within a task's section, cells appear in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from autograder.channels.notebook import cells, sources
from autograder.channels.notebook.checks import collect
from autograder.course import Assignment

# A python block of an assignment's closing cells (course.toml: notebook.closing).
CODE_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)

HOW_IT_WORKS = """\
## How this notebook works

Write each function in its cell, in place of `# YOUR CODE HERE` and the
`raise NotImplementedError()` below it, and run the cell. The test cell after
it runs the public checks of that function: if it runs without an error, they
pass. The cells marked *Hidden check* are empty here; when your notebook is
graded, further checks run on your functions, one per cell, each worth the
points it names. Only your answer cells are graded (the cells holding
`# YOUR CODE HERE`): keep each function, and any helper it needs, in its own
cell. Your score is the sum over all test cells, as in the course's own grader."""

PUBLIC_ADAPTER = '''\
import contextlib
import sys
import warnings


class NotebookFunctions:
    """This notebook's functions as the tests' `submission`: `submission.seed(s)` is `np.random.seed(s)`."""

    def seed(self, seed):
        np.random.seed(seed)

    def __getattr__(self, name):
        return globals()[name]


submission = NotebookFunctions()


def run_public_test(test):
    """Run one public test on your functions; warnings your code prints do not fail it."""
    with contextlib.redirect_stderr(sys.stdout), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        test(submission)'''

# The cell holds no code: the check runs in the grader, on the answers cut out of the
# notebook (grading.py), and its verdict is written under this cell in the feedback.
HIDDEN_CHECK = """\
# Hidden check, {points:g} point(s): {name}
# It runs when your notebook is graded, outside the notebook."""


@dataclass
class Draft:
    """The notebook while it is built: cells grouped by where they go."""

    assignment: Assignment
    intro: list = field(default_factory=list)
    setup: list = field(default_factory=list)
    tasks: dict = field(default_factory=dict)
    closing: list = field(default_factory=list)

    def __post_init__(self):
        self.tasks = {name: [] for name in self.assignment.task_names}

    def cells(self) -> list:
        return [*self.intro, *self.setup, *(c for section in self.tasks.values() for c in section), *self.closing]


def instructions(draft: Draft) -> None:
    """Markdown: the title, what the notebook asks, the README's explanations, and each task's TODO and hints."""
    assignment = draft.assignment
    readme = assignment.folder / "README.md"
    opening, sections = _readme_parts(readme.read_text(encoding="utf-8")) if readme.exists() else ("", {})
    text = [f"# {assignment.title}", opening, HOW_IT_WORKS]
    # The sections the manifest names: those that hold for the notebook as well as for the module file.
    text += [sections[title] for title in assignment.notebook.readme_sections if title in sections]
    draft.intro.append(cells.markdown("\n\n".join(t for t in text if t), "instructions"))
    for number, task in enumerate(assignment.tasks, start=1):
        lines = [f"## Task {number}: `{task.name}`", "", task.todo[:1].upper() + task.todo[1:]]
        if task.hints:
            lines += ["", "<details><summary>Hints, gentlest first</summary>", ""]
            lines += [f"{i}. {hint}" for i, hint in enumerate(task.hints, start=1)]
            lines += ["", "</details>"]
        draft.tasks[task.name].append(cells.markdown("\n".join(lines), f"instructions_{task.name}"))


def setup(draft: Draft) -> None:
    """A read-only cell with the reference's imports, which the functions rely on."""
    reference = draft.assignment.solution.read_text(encoding="utf-8")
    draft.setup.append(cells.readonly_code(sources.imports(reference), "setup"))


def solutions(draft: Draft) -> None:
    """One solution cell per task: the reference's function, its body between nbgrader's solution markers."""
    reference = draft.assignment.solution.read_text(encoding="utf-8")
    for name, source in sources.task_sources(reference, draft.assignment.task_names).items():
        draft.tasks[name].append(cells.solution(source, name))


def visible_tests(draft: Draft) -> None:
    """The public tests, one graded cell each under its task, and what they need in a read-only cell."""
    public = draft.assignment.public_tests.read_text(encoding="utf-8")
    support = sources.public_support(public)
    draft.setup.append(cells.readonly_code(f"{support}\n\n\n{PUBLIC_ADAPTER}", "public_tests_setup"))
    tests = sources.public_tests(public)
    for check in collect(draft.assignment, "public"):
        source = f"{tests[check.function]}\n\n\nrun_public_test({check.function})"
        draft.tasks[check.task].append(cells.test(source, check.grade_id, check.points))


def hidden_tests(draft: Draft) -> None:
    """One graded cell per hidden check and parameter case, running the suite's own test function."""
    for check in collect(draft.assignment, "hidden"):
        source = HIDDEN_CHECK.format(points=check.points, name=check.name)
        draft.tasks[check.task].append(cells.test(source, check.grade_id, check.points))


def closing_cells(draft: Draft) -> None:
    """The cells the assignment declares for after its tasks: its text as markdown, its python blocks as code."""
    closing = draft.assignment.notebook.closing
    if closing is None:
        return
    text, position = closing.read_text(encoding="utf-8"), 0
    for block in [*CODE_BLOCK.finditer(text), None]:
        prose = text[position : block.start() if block else len(text)].strip()
        if prose:
            draft.closing.append(cells.markdown(prose, f"closing_{len(draft.closing) + 1}"))
        if block:
            draft.closing.append(cells.plain_code(block.group(1).rstrip()))
            position = block.end()


def _readme_parts(text: str) -> tuple[str, dict[str, str]]:
    """The README's first paragraph after its title, and its ``## `` sections by title."""
    chunks = text.split("\n## ")
    body = chunks[0].split("\n", 1)[1] if "\n" in chunks[0] else ""
    opening = body.strip().split("\n\n")[0]
    sections = {}
    for chunk in chunks[1:]:
        title, _, rest = chunk.partition("\n")
        sections[title.strip()] = f"## {title.strip()}\n{rest.rstrip()}"
    return opening, sections
