"""NumPy's global random generator's state as bytes, read and put back in microseconds.

``np.random.get_state()`` and ``set_state()`` copy MT19937's 624 words one at
a time through Python objects: about 50 microseconds each. The grader looks at
the state around every call of the reference (``memo.py``: the key of a
remembered answer, and the state a replayed answer leaves behind), hundreds of
times per grading. The state is small and lives in two places:

- MT19937's own struct (624 key words and the position), whose address NumPy
  publishes (``ctypes.state_address``);
- the legacy generator's cached Gaussian (``has_gauss`` and ``gauss``), which
  NumPy shows only through ``get_state``: where it sits in the ``RandomState``
  object is found once, on a scratch generator, by looking for a value put
  there with ``set_state``.

Before use, reading and writing this way are checked against ``get_state``
and ``set_state`` on several states; where anything differs (another NumPy,
another Python) the slow official calls are used, with the same bytes.
"""

from __future__ import annotations

import ctypes
import platform
import struct
from collections.abc import Callable
from typing import Any, cast

import numpy as np

_KEY_WORDS = 624
_STRUCT = struct.Struct(f"={_KEY_WORDS}Iiid")  # key, position, has_gauss, gauss: the bytes of a state
_MARK = 1.2345678901234567  # a cached Gaussian no seeding leaves behind, to find where it is kept


def _legacy() -> Any:
    """The RandomState behind ``np.random.seed``, ``np.random.normal`` and the rest."""
    return np.random.mtrand._rand


def from_legacy(state: tuple[Any, ...]) -> bytes:
    """The bytes of a state as ``np.random.get_state()`` gives it (a tuple)."""
    _, keys, position, has_gauss, gauss = state
    return _STRUCT.pack(*np.asarray(keys, dtype=np.uint32).tolist(), int(position), int(has_gauss), float(gauss))


def to_legacy(state: bytes) -> tuple[Any, ...]:
    """The tuple ``np.random.set_state`` takes, for the bytes of a state."""
    fields = _STRUCT.unpack(state)
    keys = np.array(fields[:_KEY_WORDS], dtype=np.uint32)
    return ("MT19937", keys, fields[_KEY_WORDS], fields[_KEY_WORDS + 1], fields[_KEY_WORDS + 2])


def _slow_read() -> bytes:
    state = np.random.get_state()  # the legacy tuple (NumPy's stubs also allow the dict of legacy=False)
    return from_legacy(cast(tuple[Any, ...], state))


def _slow_write(state: bytes) -> None:
    np.random.set_state(to_legacy(state))


def _gauss_offset(generator: Any) -> int | None:
    """Where a RandomState keeps its cached Gaussian (a double after the int has_gauss); None if not found."""
    kind, keys, position, _, _ = generator.get_state()
    generator.set_state((kind, keys, position, 1, _MARK))
    memory = ctypes.string_at(id(generator), type(generator).__basicsize__)
    offset = memory.find(struct.pack("=d", _MARK))
    if offset < 8 or memory.find(struct.pack("=d", _MARK), offset + 1) != -1:
        return None
    return offset


def _fast(generator: Any) -> tuple[Callable[[], bytes], Callable[[bytes], None]] | None:
    """Read and write ``generator``'s state through its memory; None where that cannot be done here."""
    if platform.python_implementation() != "CPython" or type(generator) is not np.random.RandomState:
        return None
    bits = generator._bit_generator
    if type(bits) is not np.random.MT19937:
        return None
    offset = _gauss_offset(np.random.RandomState(0))
    if offset is None:
        return None
    # MT19937's struct is the key and the position, nothing else: 2500 bytes.
    words, where = _KEY_WORDS * 4 + 4, bits.ctypes.state_address
    aug = id(generator) + offset - 8  # has_gauss (an int), padding, then gauss (a double)

    def read() -> bytes:
        return ctypes.string_at(where, words) + ctypes.string_at(aug, 4) + ctypes.string_at(aug + 8, 8)

    def write(state: bytes) -> None:
        ctypes.memmove(where, state, words)
        ctypes.memmove(aug, state[words : words + 4], 4)
        ctypes.memmove(aug + 8, state[words + 4 :], 8)

    return (read, write) if _agrees(generator, read, write) else None


def _agrees(generator: Any, read: Callable[[], bytes], write: Callable[[bytes], None]) -> bool:
    """Whether ``read`` and ``write`` see and set exactly what get_state and set_state do (the state is kept)."""
    kept = generator.get_state()
    try:
        samples = np.random.RandomState(20_251_207)
        for has_gauss in (0, 1, 0):
            keys = samples.randint(0, 2**32, size=_KEY_WORDS, dtype=np.uint64).astype(np.uint32)
            state = ("MT19937", keys, int(samples.randint(0, _KEY_WORDS + 1)), has_gauss, samples.standard_normal())
            generator.set_state(state)
            if read() != from_legacy(state):
                return False
            generator.standard_normal(3)  # moves the key, the position and the cached Gaussian
            moved = generator.get_state()
            write(from_legacy(state))
            if from_legacy(generator.get_state()) != from_legacy(state):
                return False
            write(from_legacy(moved))
            if from_legacy(generator.get_state()) != from_legacy(moved):
                return False
        return True
    finally:
        generator.set_state(kept)


_FAST = _fast(_legacy())
read: Callable[[], bytes] = _FAST[0] if _FAST else _slow_read
"""The global generator's state now, as bytes: equal bytes, equal states (and equal draws to come)."""
write: Callable[[bytes], None] = _FAST[1] if _FAST else _slow_write
"""Put the global generator back in a state ``read`` gave."""
