"""Notebook cells with nbgrader's metadata (schema version 3)."""

from __future__ import annotations

import nbformat.v4 as nbf

SCHEMA_VERSION = 3


def markdown(text: str, grade_id: str):
    """Instructions: read-only, so students cannot lose them."""
    return _with_metadata(nbf.new_markdown_cell(text), grade_id, locked=True)


def readonly_code(source: str, grade_id: str):
    """Code the notebook needs to run, which students should not change."""
    return _with_metadata(nbf.new_code_cell(source), grade_id, locked=True)


def solution(source: str, grade_id: str):
    """An autograded answer: nbgrader replaces its solution region with a stub."""
    return _with_metadata(nbf.new_code_cell(source), grade_id, solution=True)


def test(source: str, grade_id: str, points: float):
    """A graded test cell: full points unless it shows an error or writes to stderr."""
    return _with_metadata(nbf.new_code_cell(source), grade_id, grade=True, locked=True, points=points)


def plain_code(source: str):
    """A cell students may change freely; nbgrader leaves it alone."""
    return nbf.new_code_cell(source)


def _with_metadata(cell, grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell
