"""The message format between grader and worker: plain numbers and arrays, nothing else."""

import json

import numpy as np
import pytest

from autograder.sandbox import wire


def roundtrip(value, chunk=None):
    """``value`` encoded, framed, fed to a reader (``chunk`` bytes at a time) and decoded."""
    blobs = []
    data = b"".join(wire.frame({"result": wire.encode(value, blobs)}, blobs))
    reader, message, start = wire.MessageReader(1 << 20), None, 0
    while message is None:
        size = min(reader.wanted(), chunk or len(data))
        message, start = reader.feed(data[start : start + size]), start + size
    header, arrays = message
    assert start == len(data)
    return wire.decode(header["result"], arrays)


@pytest.mark.parametrize("chunk", [None, 7])
def test_arrays_of_every_number_kind_cross_unchanged(chunk):
    """0-d, empty, Fortran-ordered, strided and big-endian arrays, and NumPy scalars, come back equal."""
    values = (
        np.arange(6.0).reshape(2, 3).T,
        np.zeros((0, 4), dtype=np.float32),
        np.array(2.5),
        np.float32(1.5),
        np.arange(10, dtype=">i4")[::3],
        np.array([1 + 2j, 3j], dtype=np.complex64),
        np.array([True, False]),
    )
    back = roundtrip(values, chunk)
    assert isinstance(back, tuple) and len(back) == len(values)
    for sent, got in zip(values, back, strict=True):
        assert type(got) is type(sent) if isinstance(sent, np.generic) else isinstance(got, np.ndarray)
        assert got.dtype == sent.dtype and got.shape == np.shape(sent)
        assert np.array_equal(got, sent)


def test_a_received_array_owns_its_memory():
    """an array read from a message is a copy, writable, and no view of the message buffer."""
    got = roundtrip(np.arange(4.0))
    assert got.flags.owndata and got.flags.writeable


@pytest.mark.parametrize("name", ["O", "V8", "U4", "S3", "f8,i4", "M8[s]", "(2,)f8", "not a dtype"])
def test_an_array_of_no_number_type_is_refused(name):
    """a header listing an object, string, record, date or unreadable dtype fails to parse."""
    head = json.dumps({"blobs": [[name, [1]]]}).encode()
    with pytest.raises(wire.WireError):
        wire.parse(head, b"\0" * 16)


@pytest.mark.parametrize(
    "listed", [[["<f8", [3]]], [["<f8", [-1]]], [["<f8", [1 << 40]]], [["<f8", [1.5]]], [["<f8", [1] * 40]], "x"]
)
def test_sizes_that_do_not_match_the_payload_are_refused(listed):
    """a shape that does not fit the bytes sent, or is not a short list of whole numbers, fails to parse."""
    with pytest.raises(wire.WireError):
        wire.parse(json.dumps({"blobs": listed}).encode(), b"\0" * 16)


@pytest.mark.parametrize("depth", [900, 400_000])
def test_a_header_nested_too_deep_is_a_wire_error(depth):
    """a header of lists nested 900 or 400k deep fails to parse as a WireError, never a RecursionError."""
    head = b'{"blobs": [], "x": ' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(wire.WireError):
        wire.parse(head, b"")


@pytest.mark.parametrize(
    "shape", [[0, 2**62, 2**62], [0, 2**63 + 5], [0] + [2**40] * 31, [2**62, 0], [0, 2**31, 2**31, 2**2]]
)
def test_an_empty_array_of_impossible_shape_is_a_wire_error(shape):
    """a zero-size blob whose other dimensions multiply past NumPy's range fails to parse as a WireError."""
    with pytest.raises(wire.WireError):
        wire.parse(json.dumps({"blobs": [["<f8", shape]]}).encode(), b"")


def test_a_forged_message_fed_to_the_reader_is_a_wire_error():
    """the grader's reader turns a message it cannot parse into a WireError and is ready for the next one."""
    head = b'{"blobs": [], "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    reader = wire.MessageReader(1 << 20)
    assert reader.feed(wire.PREFIX.pack(len(head), 0)) is None
    with pytest.raises(wire.WireError):
        reader.feed(head)
    assert reader.wanted() == wire.PREFIX.size


@pytest.mark.parametrize("spec", [{"value": 10**4000}, {"tuple": [{"value": -(2**63)}]}])
def test_an_integer_encode_never_sends_is_a_wire_error(spec):
    """a value larger than any int ``encode`` lets cross fails to decode as a WireError."""
    with pytest.raises(wire.WireError):
        wire.decode(spec, [])


def test_an_honest_nested_result_still_crosses():
    """a result nested as deep as ``encode`` allows crosses unchanged."""
    value = np.arange(3.0)
    for _ in range(wire.MAX_DEPTH - 1):
        value = (value, 1)
    back = roundtrip(value)
    for _ in range(wire.MAX_DEPTH - 1):
        back = back[0]
    assert np.array_equal(back, np.arange(3.0))
