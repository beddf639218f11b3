"""A buffer of event columns that several event families fill before one table is built."""

from __future__ import annotations

import numpy as np

from .. import contract
from .config import NONE

SKIN_TYPES = ("dry", "oily", "combination", "sensitive")
INTERESTS = ("skincare", "makeup", "fragrance")
TAG_KEYS = ("skin_type", "interest", "badge")
TAG_VALUES = (*SKIN_TYPES, *INTERESTS, *contract.BADGES)

# Optional event fields and their numpy types (enum index, member number, row number or count; NONE = null).
# Small types keep a block's columns small and make putting them in time order cheap.
OPTIONAL_FIELDS: dict[str, type[np.signedinteger]] = {
    "platform": np.int8,  # contract.PLATFORMS
    "campaign": np.int16,  # index into the campaign calendar
    "related": np.int64,  # member number of the other member (referrals)
    "score": np.int8,  # NPS 0-10 or service rating 1-5
    "points": np.int64,  # points redeemed
    "message_type": np.int8,  # contract.MESSAGE_TYPES
    "tag_key": np.int8,  # TAG_KEYS
    "tag_value": np.int8,  # TAG_VALUES
    "survey": np.int8,  # contract.SURVEY_IDS, for survey_completed
    "participation": np.int32,  # row of the KOC participation whose feedback this ugc_post is
}


def tag_values(group: tuple[str, ...], choice: np.ndarray | int) -> np.ndarray | int:
    """TAG_VALUES index of the ``choice``-th value of a tag group (SKIN_TYPES, INTERESTS, contract.BADGES)."""
    return TAG_VALUES.index(group[0]) + choice


class EventBuffer:
    """Event columns as numpy arrays: member numbers, instants (epoch seconds), contract.EVENT_TYPES indexes.

    Each family adds only the optional fields it has; the rest are filled with NONE once, when the
    block's events are put in time order.
    """

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray | int, dict[str, np.ndarray | int]]] = []

    def add(
        self, member: np.ndarray, occurred_at: np.ndarray, event_type: str | np.ndarray, **fields: np.ndarray | int
    ) -> None:
        """Events of one type (a name) or of several (one contract.EVENT_TYPES index per event)."""
        if len(member) == 0:
            return
        unknown = set(fields) - set(OPTIONAL_FIELDS)
        if unknown:
            raise TypeError(f"unknown event fields {sorted(unknown)}")
        type_code = contract.EVENT_TYPES.index(event_type) if isinstance(event_type, str) else event_type
        self.parts.append((np.asarray(member), np.asarray(occurred_at), type_code, fields))

    def finish(self, last_instant: int) -> Events:
        """Every event up to ``last_instant``, in time order (ties by member, then event type)."""
        sizes = [len(member) for member, _, _, _ in self.parts]
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        member = np.concatenate([part[0] for part in self.parts], dtype=np.int64)
        occurred_at = np.concatenate([part[1] for part in self.parts], dtype=np.int64)
        event_type = np.concatenate(
            [np.broadcast_to(part[2], (size,)) for part, size in zip(self.parts, sizes, strict=True)], dtype=np.int8
        )
        columns = {"member": member, "occurred_at": occurred_at, "event_type": event_type}
        for name, dtype in OPTIONAL_FIELDS.items():
            values = np.empty(len(member), dtype=dtype)
            for (_, _, _, fields), first, stop in zip(self.parts, bounds[:-1], bounds[1:], strict=True):
                values[first:stop] = fields.get(name, NONE)
            columns[name] = values
        self.parts = []
        return Events(columns, _time_order(member, occurred_at, event_type.astype(np.int64), last_instant))


class Events:
    """A block's events: columns in the order they were added, and ``order``, the positions in time
    order. Columns are gathered once, for the rows a table needs (replays included)."""

    def __init__(self, columns: dict[str, np.ndarray], order: np.ndarray) -> None:
        self._columns = columns
        self.order = order

    @property
    def size(self) -> int:
        return len(self.order)

    def column(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """A column in time order, or at the given positions of the time order."""
        return self._columns[name][self.order if rows is None else self.order[rows]]


# Bits of the combined sort key: instant offset (31 bits) | member | event type.
_TYPE_BITS = (len(contract.EVENT_TYPES) - 1).bit_length()
_MEMBER_BITS = 32 - _TYPE_BITS


def _time_order(member: np.ndarray, occurred_at: np.ndarray, event_type: np.ndarray, last_instant: int) -> np.ndarray:
    """Positions of the events up to ``last_instant`` sorted by (instant, member, event type)."""
    kept = np.flatnonzero(occurred_at <= last_instant)
    member, occurred_at, event_type = member[kept], occurred_at[kept], event_type[kept]
    offset = occurred_at - (occurred_at.min() if len(kept) else 0)
    fits = len(kept) == 0 or (member.max() < 1 << _MEMBER_BITS and offset.max() < 1 << 31)
    if not fits:  # past 134 M members or 68 years of data: the three-key sort, slower but general
        return kept[np.lexsort((event_type, member, occurred_at))]
    key = (offset << (_MEMBER_BITS + _TYPE_BITS)) | (member << _TYPE_BITS) | event_type
    return kept[np.argsort(key, kind="stable")]
