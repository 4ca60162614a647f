"""An nbgrader course folder for an assignment: its config and its source notebook.

    <course>/nbgrader_config.py
    <course>/source/<assignment>/<assignment>.ipynb   (reference solutions and hidden tests)
    <course>/source/<assignment>/<file>              (the files course.toml's notebook.files names)

nbgrader copies every file of ``source/<assignment>/`` except the notebook into
the release unchanged, so nothing else goes there: the reference and the
hidden suites stay in the project, where ``make nbgrader-grade`` runs them
beside the sandboxed answers (see ``grading.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.channels.notebook.build import write_notebook
from autograder.course import PROJECT_ROOT, Assignment

CONFIG = '''\
"""nbgrader settings for this course folder (written by `make nbgrader-release`)."""

import sys

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

# nbgrader reads this file with the project's virtualenv; the steps below are the project's.
PROJECT = {project!r}
if PROJECT not in sys.path:
    sys.path.insert(0, PROJECT)

from autograder.channels.notebook.nbgrader_steps import (  # noqa: E402
    FEEDBACK_TEMPLATES,
    FeedbackPage,
    GetGradesAtOnce,
    GradedInSandboxOnly,
    PlainStudentOutput,
    gradebook_version_in_process,
)

# A new gradebook.db learns its schema's version here, not from an `alembic` process of its own.
gradebook_version_in_process()

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.CourseDirectory.course_id = {course_id!r}

# Grading is `make nbgrader-grade`: each notebook's answers run in the project's sandbox,
# never in a Jupyter kernel. nbgrader's own autograde would run them in a kernel beside
# the gradebook, and this course's test cells hold no checks, so it refuses.
c.Autograde.sanitize_preprocessors = [GradedInSandboxOnly]
c.Autograde.autograde_preprocessors = [GradedInSandboxOnly]

# The feedback: nbgrader's page, each test cell named by its check. Student text in the
# outputs loses its terminal control, and HTML is sanitized (no script, no event
# handler): instructors open the feedback in their browser too.
c.GenerateFeedback.preprocessors = [GetGradesAtOnce, PlainStudentOutput, CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.exporter_class = FeedbackPage
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.template_name = "feedback_checks"
c.HTMLExporter.template_file = "checks.html.j2"
c.HTMLExporter.extra_template_basedirs = FEEDBACK_TEMPLATES
'''


def write_course_folder(assignment: Assignment, course: Path, course_id: str = "diffusion-course") -> Path:
    """Write (or refresh) the config and the source notebook; returns the notebook's path."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(
        CONFIG.format(course_id=course_id, project=str(PROJECT_ROOT)),
        encoding="utf-8",
    )
    source = course / "source" / assignment.id
    if source.exists():
        shutil.rmtree(source)  # nothing stale may reach the release
    notebook = write_notebook(assignment, source / f"{assignment.id}.ipynb")
    for extra in assignment.notebook.files:  # what the closing cells open, and nothing else
        shutil.copyfile(extra, source / extra.name)
    return notebook
