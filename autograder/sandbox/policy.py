"""The sandbox's policy: one declaration of who student code runs as, what it must not read, and how.

Like a jail's configuration file, everything a worker is started with that is
not the submission itself is here: the uid and gid (as root), the paths kept
unreadable, whether resource limits and kernel namespaces are used. A grading
reads it once (``Sandbox.for_this_machine``), claims its own uid
(``account.claim_sandbox_account``) and starts every worker from it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from autograder.sandbox import namespaces as kernel_namespaces


@dataclass(frozen=True)
class Sandbox:
    """Who student code runs as, and what it must not be able to read."""

    uid: int | None = None
    gid: int | None = None
    unreadable: tuple[str, ...] = ()
    rlimits: bool = True  # cap memory, CPU, file size and processes with setrlimit
    # Run the worker in new PID, IPC, mount and network namespaces (bubblewrap, as root on Linux).
    namespaces: bool = False

    @property
    def hides_other_submissions(self) -> bool:
        """Whether student code can reach nothing outside its own copy: no other submission's
        folder, no command line of the grader in /proc (true inside the PID and mount namespaces).
        Without them, a class folder readable by other users is readable by student code."""
        return self.namespaces and self.uid is not None

    @classmethod
    def for_this_machine(cls, unreadable: Iterable[str | os.PathLike[str]] = ()) -> Sandbox:
        """Drop to a dedicated user when running as root on POSIX, in namespaces where they
        work; else run as ourselves."""
        hidden = tuple(str(p) for p in unreadable)
        try:
            import resource  # noqa: F401, PLC0415 - absent on Windows
        except ImportError:
            rlimits = False
        else:
            rlimits = True
        if os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() == 0:
            uid = int(os.environ.get("AUTOGRADER_SANDBOX_UID", "64999"))
            return cls(uid=uid, gid=uid, unreadable=hidden, rlimits=rlimits, namespaces=kernel_namespaces.available())
        return cls(unreadable=hidden, rlimits=rlimits)
