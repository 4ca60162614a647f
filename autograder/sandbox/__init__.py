"""Isolation of student code.

- ``worker.py`` runs in the student's process: it imports the submission and answers calls.
- ``wire.py`` is the message format both sides speak (JSON and ``.npy``, never pickles).
- ``account.py`` is grader side: the unprivileged user student code runs as, and the
  end of every process it starts.
"""
