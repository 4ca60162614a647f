"""sandbox/protections.py: the one declaration of what protected a grading, kept and described."""

from __future__ import annotations

import ast
from pathlib import Path

from autograder.sandbox import Sandbox, describe_protections
from autograder.sandbox import protections as declared

WORKER = Path(declared.__file__).parent / "worker.py"


def test_only_the_declared_reports_of_the_worker_are_kept():
    """whatever else the worker says of itself is dropped, and the kernel's word replaces its own."""
    reported = {key: True for key in declared.WORKER_REPORTS} | {"forged": True, "control_group": {"cpu": "v2"}}
    kept = declared.confirmed(reported, None, None, Sandbox(), None)
    assert "forged" not in kept
    assert kept["control_group"] == {}  # not seen in any group: nothing counted
    assert kept["warm_start"] is False
    assert set(declared.WORKER_REPORTS) <= set(kept)


def test_every_key_the_worker_reports_is_declared():
    """the keys sandbox/worker.py writes into its protections are the declared ones (plus the cgroup it joined)."""
    tree = ast.parse(WORKER.read_text())
    written = {
        node.slice.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "protections"
        and isinstance(node.slice, ast.Constant)
    }
    assert written - {"control_group_joined"} <= set(declared.WORKER_REPORTS)


def test_nothing_ran_nothing_described():
    """a submission rejected before import has no protection in force and none missing."""
    assert describe_protections({}, Sandbox()) == {"in_force": {}, "not_in_force": []}


def test_a_grading_as_the_graders_user_says_what_that_allows():
    """without root, the description says student code ran as the grader's user and lists the kernel's missing parts."""
    seen = declared.in_the_grading({"resource_limits": True, "seccomp": True}, None, True, True)
    described = describe_protections(seen, Sandbox(), survivors=2)
    missing = described["not_in_force"]
    assert any(line.startswith("privilege drop: the grader is not root") for line in missing)
    assert any(line.startswith("kernel namespaces: not used (the grader is not root)") for line in missing)
    assert "no survivors: 2 process(es) of the submission could not be ended" in missing
    assert described["in_force"]["other_submissions_hidden"] is False
    assert "control_group_missing" not in described["in_force"]
