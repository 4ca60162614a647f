"""nbgrader preprocessors of this course, named in the course folder's ``nbgrader_config.py``.

Both replace one of nbgrader's own in its configurable lists, changing only
what nbgrader 0.9 reports wrongly; imported by nbgrader (the extra), never by
the grader.

- ``RestoreReleasedTestCells`` for ``Autograde.sanitize_preprocessors``:
  nbgrader stores a test cell's checksum with its hidden tests, but hands
  students the cell without them, so every untouched hidden test cell is
  reported as changed at autograde ("Attribute 'checksum' ... has changed!",
  nbgrader issue #1961). A cell that is exactly as released gets its hidden
  tests back first, silently; any other change is reported and undone as
  nbgrader always does.
- ``FeedbackClearHiddenTests`` for ``GenerateFeedback.preprocessors``:
  nbgrader's ``ClearHiddenTests`` redeclares ``display_data_priority``
  without making it configurable, so the HTML exporter's setting of it is
  reported as "not recognized".
- ``PlainStudentOutput`` for ``GenerateFeedback.preprocessors``: the text
  outputs of every cell (what student code printed or raised) are made plain
  (``autograder.safe_text``) before the HTML is rendered; the HTML outputs are
  sanitized by the exporter (``HTMLExporter.sanitize_html``).
"""

from __future__ import annotations

import copy

from nbconvert.preprocessors import Preprocessor
from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells
from traitlets import Bool, List

from autograder.safe_text import plain


class RestoreReleasedTestCells(OverwriteCells):
    """OverwriteCells that knows a locked cell handed in as released: its hidden tests come back without a warning."""

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and utils.is_locked(cell):
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source = None  # nbgrader's own step reports it
            if source is not None and source.locked and cell.source != source.source:
                if cell.source == self._as_released(cell, source.source):
                    cell.source = source.source
        return super().preprocess_cell(cell, resources, cell_index)

    def _as_released(self, cell, source: str) -> str:
        """The cell's source as generate_assignment released it: without its hidden test region."""
        released = copy.deepcopy(cell)
        released.source = source
        ClearHiddenTests(parent=self)._remove_hidden_test_region(released)
        return released.source


class FeedbackClearHiddenTests(ClearHiddenTests):
    """ClearHiddenTests that accepts the HTML exporter's display_data_priority, as nbgrader's GetGrades does."""

    display_data_priority = List(
        ["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png", "image/jpeg", "text/plain"]
    ).tag(config=True)


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
