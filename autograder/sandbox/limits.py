"""What student code may use: the per-process caps and the time budgets of one grading.

The four ``*_seconds`` budgets are CPU seconds of the student's processes,
measured by the grader from outside them (``sandbox/cpu.py``), so a grade does
not depend on the machine's load. Each has a wall-clock backstop ``BACKSTOP``
times larger, for whatever the CPU count cannot see. The course manifest
(``course.toml``'s ``[limits]``) sets any of them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Wall clock allowed per CPU second of a budget. A CPU-bound process waits for
# a processor in proportion to the runnable processes per core: grade-all puts
# a grading on every core and a busy machine adds a few more, so honest code
# sees 4-5 runnable processes per core at worst. Five times the budget keeps
# such code clear of the backstop, and still ends code the CPU count misses
# (processes that start and end between two looks) within 5 x 45 s.
BACKSTOP = 5


@dataclass(frozen=True)
class Limits:
    """Per-process and per-call limits for student code (from the course manifest).

    The four ``*_seconds`` budgets are CPU seconds (time spent waiting included) of
    every process of the submission; each has a wall-clock backstop
    ``BACKSTOP`` times larger.
    """

    call_seconds: float = 5.0
    import_seconds: float = 20.0
    memory_mb: int = 1536
    cpu_seconds: int = 120
    file_mb: int = 16
    processes: int = 32
    output_bytes: int = 8192
    reply_mb: int = 256
    # All the student's code may take over one grading (imports and calls):
    # bounds the time a hostile submission costs, whatever it does.
    total_seconds: float = 45.0
    # What the calls of one function may take in total, so that one slow
    # function cannot use up the time of the others.
    function_seconds: float = 15.0
