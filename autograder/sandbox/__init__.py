"""Isolation of student code: the sandbox's one door.

Everything above the sandbox imports from here, never from its modules (a test
holds every module of ``autograder`` to it):

- the limits: ``Limits`` (caps and time budgets, from the course manifest) and ``BACKSTOP``;
- the policy: ``Sandbox`` (who student code runs as, what it must not read,
  namespaces on or off), ``close_to_sandbox_user`` and ``hide_command_line``;
- opening a worker for a file: ``open_worker`` yields an ``IsolatedSubmission``
  (call, seed, output, stop, the protections in force); ``start_early`` starts
  the warm template ahead of the first grading;
- describing the protections: ``describe_protections``;
- reading what crosses: ``error_from`` (a described error as a ``StudentError``),
  ``error_kinds`` and ``shared_with``.

Inside: ``policy``, ``limits``, ``lifecycle`` (claim, open, clean up),
``proxy`` (the budgets), ``launch`` (starting and ending a worker),
``channel`` (talking to it), ``protections``, ``worker`` (the student's process),
``wire`` (the message format: JSON and ``.npy``, never pickles), ``account``,
``cgroups``, ``cpu``, ``namespaces``, ``seccomp``, ``warm``, ``libraries``.
"""

from autograder.sandbox.account import hide_command_line
from autograder.sandbox.lifecycle import close_to_sandbox_user, open_worker, start_early, worker_kind, workers_of_kind
from autograder.sandbox.limits import BACKSTOP, Limits
from autograder.sandbox.policy import Sandbox
from autograder.sandbox.protections import describe as describe_protections
from autograder.sandbox.proxy import ISOLATED, IsolatedSubmission, Worker, WorkerKind, error_from
from autograder.sandbox.wire import error_kinds, shared_with

__all__ = [
    "BACKSTOP",
    "ISOLATED",
    "IsolatedSubmission",
    "Limits",
    "Sandbox",
    "Worker",
    "WorkerKind",
    "close_to_sandbox_user",
    "describe_protections",
    "error_from",
    "error_kinds",
    "hide_command_line",
    "open_worker",
    "shared_with",
    "start_early",
    "worker_kind",
    "workers_of_kind",
]
