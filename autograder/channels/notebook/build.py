"""The notebook of an assignment, composed from the preprocessors in one place.

    build_notebook(assignment) -> nbformat.NotebookNode

The order below is the order of cells within each part of the notebook.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.channels.notebook.preprocessors import (
    Draft,
    closing_cells,
    hidden_tests,
    instructions,
    setup,
    solutions,
    visible_tests,
)
from autograder.course import Assignment

PREPROCESSORS = (instructions, setup, solutions, visible_tests, hidden_tests, closing_cells)


def build_notebook(assignment: Assignment, preprocessors=PREPROCESSORS) -> nbformat.NotebookNode:
    """The source notebook: reference solutions and all tests, with nbgrader's markers and metadata."""
    draft = Draft(assignment)
    for preprocess in preprocessors:
        preprocess(draft)
    notebook = nbformat.v4.new_notebook(cells=draft.cells())
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook


def write_notebook(assignment: Assignment, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_notebook(assignment), str(path))
    return path
