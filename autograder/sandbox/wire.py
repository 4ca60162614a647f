"""The message format between the grader and the student's process.

A message is an 8-byte prefix (header length, payload length), a JSON header,
and a payload of ``.npy`` blobs. Arrays are read back with ``allow_pickle=False``,
so nothing the student's process sends can run code in the grader: the worst a
hostile message can do is fail to parse.

This module runs on both sides and imports only the standard library and NumPy.
"""

import io
import json
import struct

import numpy as np

PREFIX = struct.Struct("<II")
MAX_HEADER_BYTES = 1 << 20
# Dtype kinds that may cross: booleans and numbers. No objects, strings or records.
ARRAY_KINDS = "biufc"
# Tuples and lists nest at most this deep (a pair of arrays needs 1).
MAX_DEPTH = 8


class WireError(Exception):
    """A message was cut short, too large, or not in the expected format."""


def encode(value, blobs, depth=0):  # noqa: PLR0911 - one return per kind of value
    """Describe ``value`` as JSON-able data, appending its arrays to ``blobs``."""
    if isinstance(value, np.ndarray):
        spec = {"array": len(blobs)}
        if type(value) is not np.ndarray:
            spec["subclass"] = type(value).__name__[:80]
        # The base class's own view: a subclass's __array__, __eq__ or ufunc
        # overrides never decide what crosses, only the bytes it holds.
        plain = np.ndarray.view(value, np.ndarray).copy()
        if plain.dtype.kind not in ARRAY_KINDS:
            return {"unsupported": f"ndarray of dtype {str(plain.dtype)[:40]}"}
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, plain, allow_pickle=False)
        blobs.append(buffer.getvalue())
        return spec
    if isinstance(value, np.generic) and value.dtype.kind in ARRAY_KINDS:
        spec = encode(np.asarray(value), blobs)
        spec["numpy_scalar"] = True
        return spec
    if isinstance(value, (bool, int, float)) or value is None:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**62:
            return {"unsupported": "int too large"}
        return {"value": value}
    if isinstance(value, (tuple, list)) and len(value) <= 16 and depth < MAX_DEPTH:
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [encode(item, blobs, depth + 1) for item in value]}
    return {"unsupported": type(value).__name__[:80]}


def decode(spec, arrays, depth=0):
    """Rebuild a value described by ``encode``; unknown things become ``Unsupported``."""
    if not isinstance(spec, dict) or depth > MAX_DEPTH:
        raise WireError("malformed value")
    if "array" in spec:
        index = spec["array"]
        if not isinstance(index, int) or not 0 <= index < len(arrays):
            raise WireError("malformed array reference")
        array = arrays[index]
        return array[()] if spec.get("numpy_scalar") and array.ndim == 0 else array
    if "value" in spec:
        value = spec["value"]
        if not (isinstance(value, (bool, int, float)) or value is None):
            raise WireError("malformed scalar")
        return value
    for kind, container in (("tuple", tuple), ("list", list)):
        if kind in spec:
            items = spec[kind]
            if not isinstance(items, list) or len(items) > 16:
                raise WireError("malformed sequence")
            return container(decode(item, arrays, depth + 1) for item in items)
    return Unsupported(str(spec.get("unsupported", "unknown"))[:80])


class Unsupported:
    """Stands for a returned object that cannot cross as plain data."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name}>"


def write_message(stream, header, blobs=()):
    """Send one message: a JSON header and the ``.npy`` blobs it refers to."""
    header = dict(header, blobs=[len(blob) for blob in blobs])
    head = json.dumps(header).encode()
    stream.write(PREFIX.pack(len(head), sum(len(blob) for blob in blobs)))
    stream.write(head)
    for blob in blobs:
        stream.write(blob)
    stream.flush()


def read_message(stream, max_bytes):
    """Receive one message; returns (header, arrays) or raises WireError / EOFError."""
    head_len, payload_len = PREFIX.unpack(_read_exact(stream, PREFIX.size))
    if head_len > MAX_HEADER_BYTES or payload_len > max_bytes:
        raise WireError(f"message of {head_len + payload_len} bytes is over the limit")
    try:
        header = json.loads(_read_exact(stream, head_len))
    except ValueError as error:
        raise WireError("header is not JSON") from error
    sizes = header.get("blobs") if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(isinstance(n, int) and n >= 0 for n in sizes):
        raise WireError("malformed blob list")
    if sum(sizes) != payload_len:
        raise WireError("blob sizes do not add up")
    arrays = []
    for size in sizes:
        blob = _read_exact(stream, size)
        try:
            array = np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False)
        except Exception as error:
            raise WireError(f"unreadable array ({type(error).__name__})") from error
        if not isinstance(array, np.ndarray) or array.dtype.kind not in ARRAY_KINDS:
            raise WireError("array of a type that may not cross")
        arrays.append(array)
    return header, arrays


def _read_exact(stream, size):
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
