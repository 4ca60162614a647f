"""An nbgrader course folder for an assignment: its config and its source notebook.

    <course>/nbgrader_config.py
    <course>/source/<assignment>/<assignment>.ipynb   (reference solutions and hidden tests)
    <course>/source/<assignment>/<file>              (the files course.toml's notebook.files names)

nbgrader copies every file of ``source/<assignment>/`` except the notebook into
the release unchanged, so nothing else goes there: the reference and the
hidden suites stay in the project, where the hidden test cells import them from
when nbgrader autogrades (see ``hidden.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.channels.notebook.build import write_notebook
from autograder.course import PROJECT_ROOT, Assignment

CONFIG = '''\
"""nbgrader settings for this course folder (written by `make nbgrader-release`)."""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, GetGrades, OverwriteKernelspec

from autograder.channels.notebook.nbgrader_steps import (
    FeedbackClearHiddenTests,
    PlainStudentOutput,
    RestoreReleasedTestCells,
)

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

# The hidden test cells import the grader, the reference and the hidden suites
# from this checkout; the kernels nbgrader starts inherit this path.
PROJECT = {project!r}
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (PROJECT, os.environ.get("PYTHONPATH")) if p)

c.CourseDirectory.course_id = {course_id!r}

# The feedback students get must not show the hidden tests: remove their source
# before the HTML is rendered (nbgrader keeps it by default). Their output is
# only the check's sentence. (docs/nbgrader.md: why these steps replace nbgrader's own.)
# Student text in the outputs loses its terminal control, and HTML a student's
# cell displays is sanitized (no script, no event handler): instructors open
# the feedback in their browser too.
c.GenerateFeedback.preprocessors = [GetGrades, FeedbackClearHiddenTests, PlainStudentOutput, CSSHTMLHeaderPreprocessor]
c.HTMLExporter.sanitize_html = True

# nbgrader's own list, with its OverwriteCells replaced by one that restores a
# hidden test cell handed in as released without reporting it as changed.
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreReleasedTestCells,
    CheckCellMetadata,
]

# A whole notebook's checks take about a second; this bounds a student's endless loop.
c.Execute.timeout = {timeout}
'''


def write_course_folder(assignment: Assignment, course: Path, course_id: str = "diffusion-course") -> Path:
    """Write (or refresh) the config and the source notebook; returns the notebook's path."""
    course.mkdir(parents=True, exist_ok=True)
    timeout = int(max(30, 6 * assignment.limits.call_seconds))
    (course / "nbgrader_config.py").write_text(
        CONFIG.format(course_id=course_id, assignment=assignment.id, timeout=timeout, project=str(PROJECT_ROOT)),
        encoding="utf-8",
    )
    source = course / "source" / assignment.id
    if source.exists():
        shutil.rmtree(source)  # nothing stale may reach the release
    notebook = write_notebook(assignment, source / f"{assignment.id}.ipynb")
    for extra in assignment.notebook.files:  # what the closing cells open, and nothing else
        shutil.copyfile(extra, source / extra.name)
    return notebook
