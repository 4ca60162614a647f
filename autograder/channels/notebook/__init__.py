"""The nbgrader channel: a notebook of an assignment, built from its reference and its suites.

``build.build_notebook`` composes small preprocessors (``preprocessors.py``),
each adding one kind of cell; ``course_folder.py`` lays out an nbgrader course
around the notebook; ``grading.py`` grades each submitted notebook's answers
(cut out by ``extract.py``) with ``grade.grade_submission`` in the sandbox and
writes the scores through nbgrader's gradebook (``gradebook.py``).
"""
