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
- ``FEEDBACK_TEMPLATES``: where ``HTMLExporter`` finds ``feedback_checks``,
  nbgrader's feedback page with each test cell named by its check.
"""

from __future__ import annotations

from pathlib import Path

import nbgrader
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from autograder.safe_text import plain

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
