"""The message format between the grader and the student's process.

A message is an 8-byte prefix (header length, payload length), a JSON header,
and a payload of raw array bytes. The header gives each array's dtype (a number
kind only: no objects, strings or records) and shape, and the bytes are read
with ``np.frombuffer``, so nothing the student's process sends can run code in
the grader: the worst a hostile message can do is fail to parse.

This module runs on both sides and imports only the standard library and NumPy.
"""

import json
import math
import struct

import numpy as np

PREFIX = struct.Struct("<II")
MAX_HEADER_BYTES = 1 << 20
# Dtype kinds that may cross: booleans and numbers. No objects, strings or records.
ARRAY_KINDS = "biufc"
# Tuples and lists nest at most this deep (a pair of arrays needs 1).
MAX_DEPTH = 8
# Dimensions an array that crosses may have (NumPy's own limit is 64).
MAX_NDIM = 32
# Lists and objects a header may nest (an honest one: a result of MAX_DEPTH tuples, about 20).
MAX_JSON_DEPTH = 40
# The largest size of one dimension, and of an array's bytes: beyond NumPy's index range.
MAX_DIM = (1 << 62) - 1


class WireError(Exception):
    """A message was cut short, too large, or not in the expected format."""


def encode(value, blobs, depth=0, shared=None):  # noqa: PLR0911 - one return per kind of value
    """Describe ``value`` as JSON-able data, appending its arrays to ``blobs``.

    With ``shared`` (the grader's ``SharedArguments``), arrays are placed in the
    memory both sides map instead, so the grader can look at them after the call.
    """
    if isinstance(value, np.ndarray):
        spec = {"array": len(blobs)}
        if type(value) is not np.ndarray:
            spec["subclass"] = type(value).__name__[:80]
        # The base class's own view: a subclass's __array__, __eq__ or ufunc
        # overrides never decide what crosses, only the bytes it holds.
        plain = np.ndarray.view(value, np.ndarray).copy()
        if plain.dtype.kind not in ARRAY_KINDS:
            return {"unsupported": f"ndarray of dtype {str(plain.dtype)[:40]}"}
        if shared is not None:
            return {"shared": shared.place(plain)}
        blobs.append(plain)
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
        return {kind: [encode(item, blobs, depth + 1, shared) for item in value]}
    return {"unsupported": type(value).__name__[:80]}


def shared_with(result, args, kwargs, overlap=np.may_share_memory) -> list:
    """The arguments (positions, keyword names) whose memory an array in ``result`` uses: the
    result *is* its input (or a view of it), not a new array. Looks one tuple or list deep."""
    # Base-class views, as in ``encode``: a subclass's __array_function__ never answers for it.
    plain = lambda value: np.ndarray.view(value, np.ndarray)  # noqa: E731
    returned = [
        plain(v) for v in (result if isinstance(result, (tuple, list)) else [result]) if isinstance(v, np.ndarray)
    ]
    given = [(key, plain(arg)) for key, arg in [*enumerate(args), *kwargs.items()] if isinstance(arg, np.ndarray)]
    return [key for key, arg in given if any(overlap(arg, array) for array in returned)]


def error_kinds(error) -> list:
    """The built-in exception classes ``error`` is an instance of, most specific first: a
    statistics.StatisticsError is a ValueError too, and a check asking for one accepts it."""
    return [cls.__name__ for cls in type(error).__mro__ if cls.__module__ == "builtins"][:16]


def shared_array(place, buffer):
    """The worker's view of an array the grader placed in the shared memory (``SharedArguments.place``)."""
    try:
        dtype = np.dtype(place["dtype"])
        if dtype.kind not in ARRAY_KINDS:
            raise WireError("array of a type that may not cross")
        return np.ndarray(
            tuple(place["shape"]), dtype, buffer=buffer, offset=place["offset"], order="F" if place["fortran"] else "C"
        )
    except (KeyError, TypeError, ValueError) as error:
        raise WireError(f"malformed shared array ({type(error).__name__})") from error


def decode(spec, arrays, depth=0, shared=None):
    """Rebuild a value described by ``encode``; unknown things become ``Unsupported``.

    ``shared`` is the worker's map of the shared memory, where the grader placed array arguments.
    """
    if not isinstance(spec, dict) or depth > MAX_DEPTH:
        raise WireError("malformed value")
    if "shared" in spec:
        if shared is None:
            raise WireError("shared array without shared memory")
        return shared_array(spec["shared"], shared)
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
        if isinstance(value, int) and abs(value) > 2**62:  # ``encode`` never sends one
            raise WireError("malformed scalar")
        return value
    for kind, container in (("tuple", tuple), ("list", list)):
        if kind in spec:
            items = spec[kind]
            if not isinstance(items, list) or len(items) > 16:
                raise WireError("malformed sequence")
            return container(decode(item, arrays, depth + 1, shared) for item in items)
    return Unsupported(str(spec.get("unsupported", "unknown"))[:80])


class Unsupported:
    """Stands for a returned object that cannot cross as plain data."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name}>"


def frame(header, blobs=()) -> list:
    """One message as the buffers to send, in order: prefix, JSON header, the arrays' bytes.

    ``blobs`` are the arrays ``encode`` collected; the header lists each one's dtype and shape.
    """
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one.)
    arrays = [blob if blob.flags.c_contiguous else blob.copy(order="C") for blob in map(np.asarray, blobs)]
    header = dict(header, blobs=[[array.dtype.str, list(array.shape)] for array in arrays])
    head = json.dumps(header).encode()
    # NumPy declares the buffer protocol to type checkers for Python 3.12 and later only.
    raw = [memoryview(array.reshape(-1).view(np.uint8)) for array in arrays]  # type: ignore[arg-type]
    return [PREFIX.pack(len(head), sum(part.nbytes for part in raw)), head, *raw]


def write_message(stream, header, blobs=()):
    """Send one message on a blocking stream (the worker's side)."""
    for part in frame(header, blobs):
        stream.write(part)
    stream.flush()


def read_message(stream, max_bytes):
    """Receive one message from a blocking stream; returns (header, arrays) or raises WireError / EOFError."""
    head_len, payload_len = _sizes(_read_exact(stream, PREFIX.size), max_bytes)
    return parse(_read_exact(stream, head_len), _read_exact(stream, payload_len))


class MessageReader:
    """Assembles one message from bytes read as they come (the grader's side, which never blocks).

    ``wanted()`` says how many bytes the message still needs, so the caller never
    reads past its end: whatever the other side sends after it stays in the
    pipe. At most one message of at most ``max_bytes`` is ever held.
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.buffer = bytearray()
        self.filled = 0
        self.sizes: tuple[int, int] | None = None

    def wanted(self) -> int:
        if self.sizes is None:
            return PREFIX.size - len(self.buffer)
        return len(self.buffer) - self.filled

    def feed(self, chunk: bytes):
        """Add bytes (at most ``wanted()``); returns (header, arrays) once the message is whole, else None."""
        if self.sizes is None:
            self.buffer += chunk
            if len(self.buffer) == PREFIX.size:
                self.sizes = _sizes(bytes(self.buffer), self.max_bytes)
                # The whole message's room at once: its size is known and bounded.
                self.buffer = bytearray(sum(self.sizes))
                self.filled = 0
        else:
            self.buffer[self.filled : self.filled + len(chunk)] = chunk
            self.filled += len(chunk)
        return self._whole()

    def room(self) -> memoryview | None:
        """Where the next bytes of the message go (read into it, then ``filled_in``); None until its size is known."""
        if self.sizes is None:
            return None
        return memoryview(self.buffer)[self.filled : self.filled + (1 << 20)]

    def filled_in(self, count: int):
        """``count`` bytes were read into ``room()``; returns (header, arrays) once the message is whole."""
        self.filled += count
        return self._whole()

    def _whole(self):
        if self.sizes is None or self.filled < len(self.buffer):
            return None
        head_len = self.sizes[0]
        view = memoryview(self.buffer)
        try:
            return parse(view[:head_len], view[head_len:])
        finally:
            view.release()
            self.buffer = bytearray()
            self.filled = 0
            self.sizes = None


def _sizes(prefix, max_bytes):
    head_len, payload_len = PREFIX.unpack(prefix)
    if head_len > MAX_HEADER_BYTES or payload_len > max_bytes:
        raise WireError(f"message of {head_len + payload_len} bytes is over the limit")
    return head_len, payload_len


def parse(head, payload):
    """A message's header and arrays from its two parts; any failure to read them is a WireError.

    The other side may have been written by student code: nested a million
    lists deep (RecursionError), or shaped past what NumPy can hold
    (ValueError), a message must still end as a wire error, so that the caller
    ends the worker rather than read its next message as the next reply.
    """
    try:
        return _parsed(head, payload)
    except WireError:
        raise
    except Exception as error:  # whatever a forged message trips on, in json or NumPy
        raise WireError(f"unreadable message ({type(error).__name__})") from error


def _parsed(head, payload):
    text = bytes(head)
    try:
        header = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise WireError("header is not JSON") from error
    # Each level of nesting opens with a bracket: a header with few brackets needs no walk.
    if text.count(b"[") + text.count(b"{") > MAX_JSON_DEPTH and _deeper_than(header, MAX_JSON_DEPTH):
        raise WireError("header nested too deep")
    listed = header.get("blobs") if isinstance(header, dict) else None
    if not isinstance(listed, list):
        raise WireError("malformed blob list")
    described = [_described(item) for item in listed]
    if sum(nbytes for _, _, nbytes in described) != len(payload):
        raise WireError("blob sizes do not add up")
    arrays, start = [], 0
    for dtype, shape, nbytes in described:
        count = nbytes // dtype.itemsize
        # A copy: the array owns its memory, and none of it is the message buffer's.
        arrays.append(np.frombuffer(payload, dtype=dtype, count=count, offset=start).reshape(shape).copy())
        start += nbytes
    return header, arrays


def _deeper_than(value, limit) -> bool:
    """Whether lists and dicts nest in ``value`` more than ``limit`` deep (walked without recursion).

    Parsed just below the recursion limit, a header would raise RecursionError
    later, wherever the grader first turns it into text.
    """
    level = [value]
    for _ in range(limit + 1):
        level = [
            item
            for container in level
            if isinstance(container, (list, dict))
            for item in (container.values() if isinstance(container, dict) else container)
        ]
        if not level:
            return False
    return True


def _described(item) -> tuple[np.dtype, tuple[int, ...], int]:
    """(dtype, shape, bytes) of one listed array, or WireError: numbers only, sizes exact."""
    if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], list)):
        raise WireError("malformed blob list")
    name, shape = item
    if len(name) > 8 or len(shape) > MAX_NDIM or not all(type(n) is int and 0 <= n <= MAX_DIM for n in shape):
        raise WireError("malformed array description")
    try:
        dtype = np.dtype(name)
    except (TypeError, ValueError) as error:
        raise WireError("unreadable array dtype") from error
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError("array of a type that may not cross")
    # NumPy refuses a shape whose non-zero dimensions multiply past its index
    # range, even when another dimension is 0 and the array holds no bytes.
    if math.prod(n for n in shape if n) * dtype.itemsize > MAX_DIM:
        raise WireError("array of an impossible shape")
    return dtype, tuple(shape), math.prod(shape) * dtype.itemsize


def _read_exact(stream, size):
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
