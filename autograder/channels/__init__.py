"""The ways the one grading path reaches people.

- ``release/``: the student repository (stubs, public tests, the engine without
  hidden checks, a GitHub Classroom workflow).
- ``classroom.py``: the public grade in the form GitHub Classroom's reporter reads.
- ``gradescope.py``: the Gradescope autograder bundle, and the run inside it.
- ``batch.py``: ``grade-all``, a folder of submissions on every core.
- ``notebook/``: the nbgrader notebook, built from the same reference and checks.

Each of them calls ``autograder.grade.grade_submission`` (the notebook calls the
same check functions inside nbgrader's kernel); none grades on its own.
"""
