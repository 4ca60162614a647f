"""The protections of a grading, declared once: who establishes each, how it is confirmed, how it is described.

A protection reaches results.json in three steps, all of them here:

1. the worker reports what it set up before any student code ran
   (``WORKER_REPORTS``: the keys ``sandbox/worker.py`` writes in its "armed" message);
2. ``confirmed`` keeps only those keys and overrides each with what the kernel
   says from outside the worker where /proc allows (its users, no_new_privs,
   seccomp mode, namespaces, cgroup membership): student code cannot lie about those;
3. ``in_the_grading`` adds what the grader itself knows (warm start, cgroup,
   CPU budgets, shared memory), and ``describe`` turns the lot into
   ``{"in_force": ..., "not_in_force": [sentences]}``.
"""

from __future__ import annotations

import os
from typing import Any

from autograder.sandbox import namespaces
from autograder.sandbox.account import status_numbers, uids_of
from autograder.sandbox.cgroups import GradingGroup
from autograder.sandbox.policy import Sandbox

# What the worker reports of itself (sandbox/worker.py, run()): nothing else it says is kept.
WORKER_REPORTS = (
    "resource_limits",
    "limits",
    "privileges_dropped",
    "no_new_privs",
    "hidden_files_readable",
    "keyrings_cleared",
    "seccomp",
    "seccomp_refused",
)
# What the grader confirms from the kernel (step 2), whatever the worker said.
CONFIRMED_BY_KERNEL = ("privileges_dropped", "no_new_privs", "seccomp", "namespaces", "control_group")
# What the grader adds for the whole grading (step 3).
ADDED_BY_GRADER = ("warm_start", "control_group_missing", "cpu_time_budgets", "inputs_observed")
# Details of what failed: said in "not_in_force", never listed as in force.
DETAILS_OF_FAILURES = ("hidden_files_readable", "seccomp_refused", "control_group_missing")

Protections = dict[str, Any]


def confirmed(
    reported: Protections, pid: int | None, template_pid: int | None, policy: Sandbox, group: GradingGroup | None
) -> Protections:
    """The worker's own report, confirmed from outside where /proc allows.

    ``pid``: the worker as the kernel knows it (None where it cannot be found);
    ``template_pid``: the warm template it was forked from, if any (its namespaces are not new).
    """
    protections = {key: reported[key] for key in WORKER_REPORTS if key in reported}
    if policy.uid is not None:
        uids = uids_of(pid) if pid else None
        if uids is not None or policy.namespaces:
            protections["privileges_dropped"] = set(uids or ()) == {policy.uid}
    seen = _no_new_privs(pid) if pid else None
    if seen is not None or policy.namespaces:
        protections["no_new_privs"] = bool(seen)
    filtered = _seccomp_filtered(pid) if pid else None
    if filtered is not None or policy.namespaces:
        protections["seccomp"] = bool(filtered)
    protections["namespaces"] = _namespaces_of(pid, template_pid) if pid and policy.namespaces else {}
    # What the kernel counts and caps for the grading, by cgroup version: only if the worker is seen in it.
    joined = group is not None and pid is not None and pid in group.processes()
    protections["control_group"] = group.in_force if group is not None and joined else {}
    protections["warm_start"] = template_pid is not None
    return protections


def in_the_grading(
    worker: Protections, group: GradingGroup | None, cpu_measured: bool, inputs_observed: bool
) -> Protections:
    """A worker's confirmed protections, with what the grader knows of the whole grading."""
    if group is None:
        group_missing: list[str] = []
    elif worker.get("control_group") or not group.versions:
        group_missing = group.missing()
    else:
        group_missing = ["control group: made, but the worker was not seen in it, so the kernel counted nothing"]
    return {
        **worker,
        "control_group_missing": group_missing,
        "cpu_time_budgets": cpu_measured,
        "inputs_observed": inputs_observed,
    }


def describe(seen: Protections, policy: Sandbox, survivors: int = 0) -> dict[str, Any]:
    """Which protections were in force for a grading, and which were not (sentences a reader understands).

    Empty where no student code ran (a submission rejected before import).
    """
    missing: list[str] = []
    if not seen:
        return {"in_force": {}, "not_in_force": missing}
    if policy.uid is None:
        missing.append(
            "privilege drop: the grader is not root, so student code ran as the grader's user "
            "and could read and change what the grader can"
        )
    elif not seen.get("privileges_dropped"):
        missing.append("privilege drop: it failed")
    if not seen.get("resource_limits"):
        refused = sorted(k for k, v in (seen.get("limits") or {}).items() if v is None)
        missing.append(
            "resource limits: "
            + (f"refused: {', '.join(refused)}" if refused else "no memory, CPU time, file size or process limits")
        )
    if seen.get("hidden_files_readable"):
        missing.append(
            f"hidden files unreadable: student code could read {len(seen['hidden_files_readable'])} protected path(s)"
        )
    missing += _kernel_protections_missing(seen, policy)
    missing += seen.get("control_group_missing", [])
    if os.name != "posix":
        missing.append("killing child processes: only the worker itself is killed")
    elif policy.uid is None and not seen.get("warm_start"):
        # A forked worker's template is its subreaper: whatever the worker leaves is
        # handed to the template when its parent ends, and ended there.
        missing.append(
            "killing child processes: a process that replaced its whole environment and left "
            "the worker's session is not found"
        )
    if not seen.get("cpu_time_budgets", True):
        missing.append("CPU-time budgets: this system has no /proc, so the time budgets were wall-clock seconds")
    if not seen.get("inputs_observed", True):
        missing.append(
            "inputs observed by the grader: no shared memory, so the worker reported the arguments after each call"
        )
    if survivors:
        missing.append(f"no survivors: {survivors} process(es) of the submission could not be ended")
    in_force = {k: v for k, v in seen.items() if k not in DETAILS_OF_FAILURES}
    in_force["other_submissions_hidden"] = policy.hides_other_submissions and all(seen.get("namespaces", {}).values())
    return {"in_force": in_force, "not_in_force": missing}


def _kernel_protections_missing(seen: Protections, policy: Sandbox) -> list[str]:
    """What the kernel did not do for this grading: namespaces, no_new_privs, seccomp, the keyrings."""
    missing = []
    found = seen.get("namespaces") or {}
    if not policy.namespaces:
        why = "the grader is not root" if policy.uid is None else "bubblewrap is missing or this machine forbids them"
        missing.append(
            f"kernel namespaces: not used ({why}); student code sees the machine's process list "
            "and shared folders and may reach its AF_UNIX sockets (the seccomp filter refuses every "
            "other socket), and the sandbox user and resource limits stand in"
        )
    elif not all(found.values()) or not found:
        absent = sorted(name for name, new in found.items() if not new) or ["all"]
        missing.append(f"kernel namespaces: not confirmed for {', '.join(absent)}")
    if not seen.get("no_new_privs"):
        missing.append("no_new_privs: not set, so a setuid program started by student code runs with its privileges")
    if not seen.get("seccomp"):
        why = seen.get("seccomp_refused") or "not confirmed"
        missing.append(
            f"seccomp filter: not installed ({why}), so student code may call keyctl, io_uring, bpf, "
            "perf_event_open, userfaultfd, ptrace and unshare(CLONE_NEWUSER)"
        )
    if seen.get("keyrings_cleared") is False:
        missing.append(
            "kernel keyrings: the sandbox user's keyrings could not be emptied, so keys an earlier "
            "grading under it stored may be readable"
        )
    return missing


def _no_new_privs(pid: int) -> bool | None:
    flag = status_numbers(pid, b"NoNewPrivs:")
    return flag[0] == 1 if flag else None


def _seccomp_filtered(pid: int) -> bool | None:
    """Whether ``pid`` runs under a seccomp filter (mode 2), as the kernel says; None where unknown."""
    mode = status_numbers(pid, b"Seccomp:")
    return mode[0] == 2 if mode else None


def _namespaces_of(pid: int, template: int | None = None) -> dict[str, bool]:
    """For each namespace asked for: whether the worker is in a new one (new to the template too)."""
    found = {}
    for name in namespaces.NAMESPACES:
        try:
            own = os.readlink(f"/proc/{pid}/ns/{name}")
            others = [os.readlink(f"/proc/{other}/ns/{name}") for other in ("self", template) if other]
            found[name] = own not in others
        except OSError:
            found[name] = False
    return found
