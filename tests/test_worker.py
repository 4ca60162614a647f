"""sandbox/worker.py's own answers, called in this process: how a call and an error are reported."""

from __future__ import annotations

import functools

import numpy as np

from autograder.sandbox import wire
from autograder.sandbox import worker as worker_script


def generator():
    return {
        "seed": np.random.seed,
        "get_state": np.random.get_state,
        "shared_with": functools.partial(wire.shared_with, overlap=np.may_share_memory),
    }


def answer(function, *args, seed=None):
    header = {"seed": seed}
    state = np.random.get_state()
    try:
        return worker_script.call(function, header, list(args), {}, generator(), wire, "forward.py", sent_back=True)
    finally:
        np.random.set_state(state)


def test_a_call_that_draws_says_it_used_the_generator():
    """rng_used is true exactly when the call drew from NumPy's global generator."""
    drew, _ = answer(lambda x: x + np.random.standard_normal(), 1.0, seed=3)
    kept, _ = answer(lambda x: x + 1.0, 1.0, seed=3)
    assert drew["ok"] and drew["rng_used"] is True
    assert kept["ok"] and kept["rng_used"] is False


def test_a_result_that_is_its_input_is_reported_as_an_alias():
    """a function returning its own array argument is reported as sharing memory with position 0."""
    reply, _ = answer(lambda x: x, np.zeros(3))
    assert reply["aliases"] == [0]


def test_sys_exit_in_student_code_is_a_failed_call():
    """sys.exit() inside a call fails that call, and the message says what the code did."""

    def leaves():
        raise SystemExit(3)

    reply, _ = answer(leaves)
    assert reply["ok"] is False
    assert reply["error"]["type"] == "SystemExit"
    assert reply["error"]["message"] == "the code called sys.exit(3)"


def test_a_third_party_import_names_what_the_grader_offers():
    """importing a package the grader does not offer says which ones it does; a standard module is left as is."""
    worker_script.AVAILABLE[:] = ["numpy"]
    missing = ModuleNotFoundError("No module named 'scipy'", name="scipy")
    assert worker_script.describe(missing, "forward.py", wire)["message"] == (
        "No module named 'scipy': the grader offers only the Python standard library, numpy"
    )
    standard = ModuleNotFoundError("No module named 'json.nothing'", name="json.nothing")
    assert worker_script.describe(standard, "forward.py", wire)["message"] == "No module named 'json.nothing'"
