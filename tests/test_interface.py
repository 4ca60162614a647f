"""One submission interface: the isolated worker and the in-process reference agree."""

from __future__ import annotations

import contextlib
import importlib.util

import numpy as np
import pytest

from autograder.grade import isolated_submission
from autograder.interface import StudentError
from autograder.locate import locate_submission
from autograder.plugin import InProcess
from autograder.sandbox import wire

SOURCE = """\
import numpy as np


def scale(x, factor=2.0, *, inplace=False):
    if inplace:
        x *= factor
        return x
    return x * factor


def draw(shape, spread=1.0):
    return np.random.randn(*shape) * spread


def step(x, p):
    return x * p, np.random.randn(*x.shape)


def step_to_a_number(x, p):
    return 3.0


def refuse(x):
    import statistics

    raise statistics.StatisticsError("no spread")


def empty(values, more=None):
    values.clear()
    if more is not None:
        more.append(1.0)
    return 0.0


def same(x, y, scale=1.0):
    return (x, y[::2] if scale == 1.0 else y * scale)


def shapes(*arrays):
    return [np.array(np.shape(a), dtype=np.int64) for a in arrays]


KINDS_SEEN = [float, int, bool, type(None), np.float64, np.float32, np.int64, list, tuple, np.ndarray]


def kinds(*values):
    return [KINDS_SEEN.index(type(v)) for v in values], [str(np.asarray(v).dtype) == "float32" for v in values]
"""
KINDS = ("isolated", "in_process")


@pytest.fixture(params=KINDS)
def code(request, ch01, tmp_path):
    """The module above behind each of the two implementations of the interface."""
    path = tmp_path / ch01.filename
    path.write_text(SOURCE)
    with contextlib.ExitStack() as stack:
        if request.param == "isolated":
            yield stack.enter_context(isolated_submission(ch01, locate_submission(path, ch01.filename)))
        else:
            spec = importlib.util.spec_from_file_location("_interface_module", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            yield InProcess(module)


def test_keyword_arguments_cross(code):
    """keyword arguments reach the function, in calls and in attribute calls."""
    x = np.arange(3.0)
    assert np.array_equal(code.call("scale", x, factor=3.0).result, 3 * x)
    assert np.array_equal(code.scale(x, factor=0.5), 0.5 * x)
    assert np.array_equal(code.scale(x=x), 2 * x)


def test_arrays_reach_the_code_with_their_own_shapes(code):
    """a 0-d array stays 0-d (not shape (1,)), and Fortran-ordered and strided arrays keep their shapes."""
    arrays = [np.copy(np.float64(0.3)), np.arange(3.0), np.asfortranarray(np.ones((2, 3))), np.ones((4, 6))[::2, ::3]]
    seen = code.call("shapes", *arrays).result
    assert [tuple(int(n) for n in shape) for shape in seen] == [(), (3,), (2, 3), (2, 2)]


def test_numbers_and_sequences_reach_the_code_as_the_same_types(code):
    """Python and NumPy scalars, lists, tuples and float32 arrays arrive as what was sent, not converted."""
    values = [0.5, 3, True, None, np.float64(0.5), np.float32(0.5), np.int64(3), [0.1, 0.2], (1, 2)]
    values.append(np.zeros(2, np.float32))
    seen, float32 = code.call("kinds", *values).result
    assert seen == list(range(10))
    assert float32 == [False] * 5 + [True, False, False, False, True]


def test_an_error_raised_says_which_built_in_errors_it_is(code):
    """statistics.StatisticsError reaches the check as a ValueError too (the reference's own error as itself)."""
    with pytest.raises(Exception) as refused:
        code.call("refuse", np.zeros(2))
    if isinstance(code, InProcess):
        assert isinstance(refused.value, ValueError)
    else:
        assert isinstance(refused.value, StudentError)
        assert refused.value.raised[:3] == ("ValueError", "Exception", "BaseException")


def test_what_a_call_did_to_a_list_is_seen(code):
    """a list argument emptied or grown by the call comes back as the call left it, by position and keyword."""
    reply = code.call("empty", [0.5, 0.25], more=[2.0])
    assert reply.args_after == [[]] and reply.kwargs_after == {"more": [2.0, 1.0]}


def test_a_result_that_is_its_input_is_reported(code):
    """returning an argument itself or a view of it is seen, by position or keyword; a new array is not."""
    x, y = np.arange(4.0), np.arange(6.0)
    assert code.call("same", x, y).aliased == [0, 1]
    assert code.call("same", x, y=y, scale=2.0).aliased == [0]
    assert code.call("scale", x).aliased == []


def test_arguments_after_the_call_are_in_every_reply(code):
    """every reply carries the arguments (and keyword arguments) as the call left them."""
    x = np.arange(3.0)
    reply = code.call("scale", x.copy(), factor=2.0, inplace=True)
    assert np.array_equal(reply.args_after[0], 2 * x)
    assert reply.kwargs_after == {"factor": 2.0, "inplace": True}
    plain = code.call("scale", x.copy(), 4.0)
    assert np.array_equal(plain.args_after[0], x) and plain.args_after[1] == 4.0


def test_the_callers_arrays_are_never_changed(ch01, tmp_path):
    """a function that changes its input in place changes what the grader observes, never the caller's array."""
    path = tmp_path / ch01.filename
    path.write_text(SOURCE)
    x = np.arange(3.0)
    with isolated_submission(ch01, locate_submission(path, ch01.filename)) as isolated:
        reply = isolated.call("scale", x, inplace=True)
    assert np.array_equal(x, np.arange(3.0))
    assert np.array_equal(reply.args_after[0], 2 * np.arange(3.0))


def test_a_seed_applies_to_the_next_call(code):
    """seed(s) then a call draws what np.random.seed(s) would give, in float64."""
    code.seed(5)
    assert np.array_equal(code.draw((4,)), np.random.RandomState(5).randn(4))
    code.seed(5)
    assert np.array_equal(code.call("draw", (2,), spread=2.0).result, 2 * np.random.RandomState(5).randn(2))


def test_a_chain_is_one_call_per_step(code):
    """chain feeds element 0 of each result into the next step; each= sees every step; pick= chooses the element."""
    x = np.ones((2, 3))
    seen = []
    out = code.chain("step", x, [0.5, 0.5, 2.0], each=lambda step, x_in, p, reply: seen.append((step, p)))
    assert np.array_equal(out, x * 0.5)
    assert seen == [(0, 0.5), (1, 0.5), (2, 2.0)]
    assert np.array_equal(code.chain("scale", x, [3.0, 3.0]), 9 * x)  # a result that is not a tuple is its own pick
    assert code.chain("step", x, [0.5], pick=lambda result: result[1]).shape == x.shape


def test_a_chain_step_that_gives_no_array_ends_the_chain(code):
    """a step whose pick is not an array shaped like x stops the chain, naming the step."""
    with pytest.raises(StudentError, match="step 1 should give an array of shape"):
        code.chain("step_to_a_number", np.ones(3), [0.1, 0.2])


def test_every_request_has_the_same_fields(ch01, tmp_path, monkeypatch):
    """a lone call, a call with keywords, a seeded call and a chain's steps send requests with the same fields."""
    path = tmp_path / ch01.filename
    path.write_text(SOURCE)
    sent = []
    frame = wire.frame
    monkeypatch.setattr(wire, "frame", lambda header, blobs=(): sent.append(sorted(header)) or frame(header, blobs))
    with isolated_submission(ch01, locate_submission(path, ch01.filename)) as isolated:
        isolated.call("scale", np.ones(2))
        isolated.call("scale", np.ones(2), factor=3.0)
        isolated.seed(3)
        isolated.draw((2,))
        isolated.chain("step", np.ones(2), [0.5, 0.5])
    assert len(sent) == 5 and all(fields == sent[0] for fields in sent)
    assert sent[0] == ["args", "function", "kwargs", "seed", "shared"]
