"""Turning numpy columns into Arrow columns of the raw contract: ids, timestamps, enum names."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .config import NONE

_ASCII_ZERO = 48


def code(names: tuple[str, ...], name: str) -> int:
    """The index of an enum value in its contract tuple (numpy columns store enums as indexes)."""
    return names.index(name)


def codes(names: tuple[str, ...], *wanted: str) -> np.ndarray:
    return np.array([names.index(name) for name in wanted], dtype=np.int64)


# "0000" .. "9999" as ASCII, one 4-byte word per number: ids are written four digits at a time.
_FOUR_DIGIT_WORDS = np.frombuffer("".join(f"{number:04d}" for number in range(10_000)).encode("ascii"), dtype=np.uint32)


def ids(prefix: str, numbers: np.ndarray, width: int, missing: np.ndarray | None = None) -> pa.Array:
    """``prefix`` + the number zero-padded to ``width`` digits (wider numbers keep every digit);
    null where ``missing``. Built straight into Arrow's buffers: ids are a large share of the bytes."""
    numbers = np.asarray(numbers, dtype=np.int64)
    present = numbers if missing is None else numbers[~missing]
    if present.size and int(present.max()) >= 10**width:
        return _ids_of_any_width(prefix, numbers, width, missing)
    prefix_bytes = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    id_length = len(prefix_bytes) + width
    characters = np.empty((len(present), id_length), dtype=np.uint8)
    characters[:, : len(prefix_bytes)] = prefix_bytes
    remaining = present.copy()
    end = id_length
    while end > len(prefix_bytes):
        digits = min(4, end - len(prefix_bytes))
        words = _FOUR_DIGIT_WORDS[remaining % 10_000].view(np.uint8).reshape(len(present), 4)
        characters[:, end - digits : end] = words[:, 4 - digits :]
        remaining //= 10_000
        end -= digits
    if missing is None:
        offsets = np.arange(0, (len(numbers) + 1) * id_length, id_length, dtype=np.int32)
        return pa.Array.from_buffers(pa.string(), len(numbers), [None, pa.py_buffer(offsets), pa.py_buffer(characters)])
    lengths = np.where(missing, 0, id_length).astype(np.int32)
    offsets = np.concatenate([np.zeros(1, np.int32), np.cumsum(lengths, dtype=np.int32)])
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(),
        len(numbers),
        [validity, pa.py_buffer(offsets), pa.py_buffer(characters)],
        null_count=int(missing.sum()),
    )


def _ids_of_any_width(prefix: str, numbers: np.ndarray, width: int, missing: np.ndarray | None) -> pa.Array:
    padded = pc.utf8_lpad(pc.cast(pa.array(numbers, mask=missing), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, pa.scalar(""))


def optional_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Ids where ``numbers`` is not NONE, nulls where it is."""
    missing = numbers == NONE
    return ids(prefix, numbers, width, missing=missing if missing.any() else None)


def timestamps(seconds: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    micros = np.asarray(seconds, dtype=np.int64) * 1_000_000
    return pa.array(micros, type=pa.int64(), mask=missing).cast(pa.timestamp("us"))


def optional_timestamps(seconds: np.ndarray) -> pa.Array:
    """Timestamps where ``seconds`` >= 0 and nulls where it is NONE."""
    return timestamps(seconds, missing=seconds < 0)


def names_of(names: tuple[str, ...], indexes: np.ndarray) -> pa.Array:
    """Enum names for enum indexes; NONE becomes null."""
    indexes = np.asarray(indexes)
    missing = indexes < 0
    positions = pa.array(np.maximum(indexes, 0).astype(np.int32), mask=missing if missing.any() else None)
    return pc.take(pa.array(names, type=pa.string()), positions)


def values_or_null(values: np.ndarray, missing: np.ndarray) -> pa.Array:
    return pa.array(values, mask=missing if missing.any() else None)
