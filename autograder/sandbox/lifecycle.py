"""One grading's sandbox, from claim to clean-up: the only way the engine opens a worker.

Like a jail's init, run and cleanup: ``open_worker`` claims a sandbox uid of
its own for the grading (``account.claim_sandbox_account``: nothing of an
earlier submission is left under it), yields the proxy that starts workers on
demand under the policy, and on exit ends every process the submission started
and cleans the uid up again. ``start_early`` starts the warm template before
anything else so that it imports NumPy while the grader collects the suites.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from autograder.sandbox.account import claim_sandbox_account, close_to_others
from autograder.sandbox.launch import warm_template
from autograder.sandbox.libraries import library_paths
from autograder.sandbox.limits import Limits
from autograder.sandbox.policy import Sandbox
from autograder.sandbox.proxy import ISOLATED, IsolatedSubmission, WorkerKind

# The kind of worker gradings of this process get: the isolated one, unless a test put its stand-in here.
_KINDS: list[WorkerKind] = [ISOLATED]


@contextlib.contextmanager
def open_worker(
    path: Path | None, module: str, limits: Limits, policy: Sandbox, rejected: str | None = None
) -> Iterator[IsolatedSubmission]:
    """The file ``path`` (imported as ``module``) behind a proxy, every protection of ``policy`` in force.

    ``rejected``: why the file cannot be graded (every call then says so, nothing is started).
    Leaving the block ends every process of the submission and cleans the sandbox uid up.
    """
    kind = _KINDS[-1]
    if not kind.isolates:  # a test's stand-in runs nothing as another user: no uid to claim
        with IsolatedSubmission(path, module, limits, policy, rejected, workers=kind) as student:
            yield student
        return
    with claim_sandbox_account(policy) as claimed:
        with IsolatedSubmission(path, module, limits, claimed, rejected, workers=kind) as student:
            yield student


@contextlib.contextmanager
def workers_of_kind(kind: WorkerKind) -> Iterator[None]:
    """Within the block, gradings of this process get workers of ``kind`` (the project's own tests only)."""
    _KINDS.append(kind)
    try:
        yield
    finally:
        _KINDS.remove(kind)


def worker_kind() -> str:
    """The name of the kind of worker gradings of this process get now ("isolated" outside tests)."""
    return _KINDS[-1].name


def start_early(policy: Sandbox | None = None) -> None:
    """Start the warm template this machine's gradings use, if there is none yet (nothing else waits for it)."""
    if _KINDS[-1].isolates:
        with contextlib.suppress(OSError):
            warm_template(policy or Sandbox.for_this_machine())


def close_to_sandbox_user(hidden: list[Path], root: Path) -> None:
    """As root without namespaces: ``hidden`` folders become the owner's alone, and ``root`` closed to
    other users but for the folders of the libraries the worker imports (``account.close_to_others``)."""
    for folder in hidden:
        os.chmod(folder, 0o700)
    close_to_others(root, keep=library_paths())
