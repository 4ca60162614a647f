"""The nbgrader channel: a notebook of an assignment, built from its reference and its suites.

``build.build_notebook`` composes small preprocessors (``preprocessors.py``),
each adding one kind of cell; ``course_folder.py`` lays out an nbgrader course
around the notebook; ``grading.py`` grades each submitted notebook's answers
(cut out by ``extract.py``) with ``grade.grade_submission`` in the sandbox and
writes the scores through nbgrader's gradebook (``gradebook.py``).
"""

from __future__ import annotations

import sys

# jsonschema, which nbformat validates notebooks with, imports rfc3987_syntax when it is
# installed (Jupyter's packages pull it in) only to check two string formats, "iri" and
# "iri-reference", that no notebook schema uses and that are checked only for a caller who
# asks for format checking. That import compiles 39 grammars: about 2 s of CPU in every
# process that reads a notebook. Marked as absent before nbformat is first imported,
# jsonschema leaves those two formats unchecked, as it does whenever the package is missing.
UNUSED_SLOW_IMPORTS = ("rfc3987_syntax",)


def skip_unused_slow_imports() -> None:
    """Make this process's imports of ``UNUSED_SLOW_IMPORTS`` fail at once (those already done stay)."""
    for name in UNUSED_SLOW_IMPORTS:
        # None in sys.modules is the import system's own "no such module" (ModuleNotFoundError).
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


skip_unused_slow_imports()
