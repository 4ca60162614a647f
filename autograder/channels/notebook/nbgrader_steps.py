"""nbgrader settings of this course, named in the course folder's ``nbgrader_config.py``.

Imported by nbgrader (the extra) when it reads that file, never by the grader.

- ``GradedInSandboxOnly`` for ``Autograde``'s two lists of steps: nbgrader's
  own autograde would run each student's notebook in a Jupyter kernel, with
  the gradebook on disk beside it, and this course's test cells hold no code
  (the checks run in the project's sandbox). So ``nbgrader autograde`` (and
  the formgrader's autograde button) refuse, saying what to run instead.
- ``PlainStudentOutput`` for ``GenerateFeedback.preprocessors``: the text
  outputs of every cell are made plain (``autograder.safe_text``) before the
  HTML is rendered; the HTML outputs are sanitized by the exporter
  (``HTMLExporter.sanitize_html``).
- ``GetGradesAtOnce`` for ``GenerateFeedback.preprocessors``: nbgrader's
  ``GetGrades``, reading a notebook's scores and comments in three queries
  rather than one or two per cell (half of each student's feedback, before).
- ``FeedbackPage`` for ``GenerateFeedback.exporter_class``: nbconvert's
  ``HTMLExporter`` without its final re-parse of the page when it would change
  nothing, and highlighting the cells every notebook shares once per run (most
  of the time of each student's feedback, before).
- ``FEEDBACK_TEMPLATES``: where ``HTMLExporter`` finds ``feedback_checks``,
  nbgrader's feedback page with each test cell named by its check.
- ``gradebook_version_in_process``, called by the config: a new gradebook
  learns its schema's version here, not from a second interpreter.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor
from nbgrader import api as nbgrader_api
from nbgrader import dbutil
from nbgrader.api import Grade
from nbgrader.preprocessors import GetGrades
from sqlalchemy.orm import undefer
from traitlets import Bool

from autograder.safe_text import plain

_ask_alembic = nbgrader_api.get_alembic_version

FEEDBACK_TEMPLATES = [
    str(Path(__file__).parent / "templates"),
    str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"),
]


class GradedInSandboxOnly(Preprocessor):
    """Refuses to grade a notebook in a kernel: this course grades with ``make nbgrader-grade``."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        raise RuntimeError(
            "this course is graded by `make nbgrader-grade` (python -m autograder nbgrader-grade), which runs "
            "each notebook's answers in the grader's sandbox; nbgrader autograde would run them in a kernel "
            "and its test cells hold no checks"
        )


class PlainStudentOutput(Preprocessor):
    """Every text output of a cell without terminal control: no escape sequence reaches the feedback."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, cell_index):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = plain(output.get("text", ""))
            elif output.get("output_type") == "error":
                output["ename"], output["evalue"] = plain(output.get("ename", "")), plain(output.get("evalue", ""))
                output["traceback"] = [plain(line) for line in output.get("traceback", [])]
            elif "text/plain" in output.get("data", {}):
                output["data"]["text/plain"] = plain(output["data"]["text/plain"])
        return cell, resources


class GetGradesAtOnce(GetGrades):
    """nbgrader's GetGrades, with every score and comment of the notebook read when its first cell asks.

    GetGrades looks each cell's grade up in the gradebook on its own, joining six tables, and then
    loads its points in a second query: about 200 queries for a notebook of this course. The
    same values come from the submitted notebook's rows, read at once; a cell whose name none
    of them has is looked up as GetGrades does (and fails as it does).
    """

    def preprocess(self, nb, resources):
        self._found: tuple[dict, dict] | None = None
        return super().preprocess(nb, resources)

    def _get_score(self, cell, resources) -> None:
        scores = self._rows()[0]
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id not in scores:
            super()._get_score(cell, resources)
            return
        cell.metadata.nbgrader["score"], cell.metadata.nbgrader["points"] = scores[grade_id]

    def _get_comment(self, cell, resources) -> None:
        comments = self._rows()[1]
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id not in comments:
            super()._get_comment(cell, resources)
            return
        cell.metadata.nbgrader["comment"] = comments[grade_id]

    def _rows(self) -> tuple[dict, dict]:
        """(cell name -> (score, points), cell name -> comment) of this student's notebook."""
        if self._found is None:
            gradebook = self.gradebook
            submitted = gradebook.find_submission_notebook(self.notebook_id, self.assignment_id, self.student_id)
            released = submitted.notebook
            # Grade.max_score is deferred: undeferred, it comes with its row rather than in a query of its own.
            grades = gradebook.db.query(Grade).options(undefer(Grade.max_score))
            grades = grades.filter(Grade.notebook_id == submitted.id)
            scored = {grade.cell_id: (grade.score, grade.max_score) for grade in grades}
            commented = {comment.cell_id: comment.comment for comment in submitted.comments}
            # find_grade and find_comment look among grade (solution) cells first, then task cells.
            self._found = (
                _by_name(scored, released.grade_cells, released.task_cells),
                _by_name(commented, released.solution_cells, released.task_cells),
            )
        return self._found


def _by_name(values: dict, first: list, then: list) -> dict:
    """``values`` by cell id, keyed by the cell's name: ``first``'s cells, then ``then``'s of names not taken."""
    found: dict = {}
    for cells in (first, then):
        named = {cell.name: values[cell.id] for cell in cells if cell.id in values}
        found |= {name: value for name, value in named.items() if name not in found}
    return found


# What HTMLExporter's last step changes: an image without alt text, or a JupyterLab cell's input or
# output (given a tabindex). The classic template of nbgrader's feedback page makes no such cell.
_ACCESSIBILITY_PASS_CHANGES = re.compile(
    r"<img\b(?![^>]*\salt\b)|jp-Cell-inputWrapper|jp-OutputArea-output", re.IGNORECASE
)


class _HighlightedOnce:
    """nbconvert's code highlighting filter, remembering what it made: every student's notebook holds
    the same released cells, which a run of generate_feedback then highlights once, not once each."""

    def __init__(self, highlight: Highlight2HTML):
        self.highlight = highlight
        self.made: dict[tuple[str, str | None, str | None], str] = {}

    def __call__(self, source: str, language: str | None = None, metadata=None) -> str:
        # What the highlighting depends on besides the lexer: Highlight2HTML reads only this of the metadata.
        key = (source, language, (metadata or {}).get("magics_language"))
        if key not in self.made:
            self.made[key] = self.highlight(source, language, metadata)
        return self.made[key]


class FeedbackPage(HTMLExporter):
    """nbconvert's HTMLExporter, without its last step when that step would change nothing.

    HTMLExporter renders the page, then parses all of it again with BeautifulSoup's
    pure-Python parser, to give alt text to each image that has none and a tabindex to
    JupyterLab's cells, and writes it out again. On this course's feedback (some 10,000 tags
    of highlighted code) that step is two thirds of each student's feedback time, and it
    changes nothing there: the page is kept as rendered. A page it would change takes
    HTMLExporter's own way, all of it. The highlighting of a cell's code, half of what is
    left, is made once per run for the cells every student's notebook shares.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._highlighters: dict[str | None, _HighlightedOnce] = {}

    def from_notebook_node(self, nb, resources=None, **kw):
        page, rendered = self._render(nb, copy.deepcopy(resources), **kw)
        if _ACCESSIBILITY_PASS_CHANGES.search(page):
            return super().from_notebook_node(nb, resources, **kw)
        return page, rendered

    def _render(self, nb, resources, **kw):
        """HTMLExporter.from_notebook_node (nbconvert 7) up to its re-parse of the page."""
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight_code = self.filters.get("highlight_code") or self._highlighter(lexer)
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", data_types)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    def _highlighter(self, lexer: str | None) -> _HighlightedOnce:
        if lexer not in self._highlighters:
            self._highlighters[lexer] = _HighlightedOnce(Highlight2HTML(pygments_lexer=lexer, parent=self))
        return self._highlighters[lexer]


def gradebook_version_in_process() -> None:
    """Let nbgrader's ``Gradebook`` find the schema version of a new gradebook.db in this process.

    Creating a course's gradebook (``generate_assignment``'s first run), nbgrader runs
    ``alembic heads`` in a new interpreter, whose migration scripts import nbgrader again
    and with it every slow import ``UNUSED_SLOW_IMPORTS`` leaves out here: about 4 s of CPU,
    more than all the rest of the release. Alembic's ``ScriptDirectory`` reads the same
    scripts here, where nbgrader is imported already, and gives the same head.
    """
    nbgrader_api.get_alembic_version = _alembic_head


def _alembic_head() -> str:
    """The head revision of nbgrader's migrations, as the first line of ``alembic heads`` names it."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - only when a gradebook is created

    heads = ScriptDirectory(dbutil.ALEMBIC_DIR).get_heads()
    if len(heads) != 1:  # which one alembic prints first is its own affair: ask it
        return _ask_alembic()
    return heads[0]
