"""Row comparison: two result sets are equal when every value is.

Values are normalised first so that representation differences that carry no
meaning (Decimal('600') vs 600.0, bigint vs int, a timestamp's Python type) do
not count, while any difference in a value does: numbers are compared to 9
significant digits, text exactly. `loyalty bench` uses it to check the models
against the floor and pandas; the engine-comparison tests use it across engines.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Row = tuple[str, ...]


def normalise(value: object) -> str:
    if value is None:
        return "\N{EMPTY SET}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        number = float(value)
        return "0" if number == 0 else format(number, ".9g")
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def normalise_rows(rows: Iterable[Sequence[object]]) -> list[Row]:
    return sorted(tuple(normalise(v) for v in row) for row in rows)


def fingerprint(rows: list[Row]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


@dataclass
class TableDiff:
    table: str
    rows_left: int
    rows_right: int
    fingerprint_left: str
    fingerprint_right: str
    only_left: list[Row] = field(default_factory=list)
    only_right: list[Row] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.fingerprint_left == self.fingerprint_right

    def describe(self, limit: int = 3) -> str:
        lines = [f"{self.table}: {self.rows_left} vs {self.rows_right} rows"]
        lines += [f"  only left : {row}" for row in self.only_left[:limit]]
        lines += [f"  only right: {row}" for row in self.only_right[:limit]]
        return "\n".join(lines)


def diff_rows(table: str, left: list[Row], right: list[Row]) -> TableDiff:
    result = TableDiff(table, len(left), len(right), fingerprint(left), fingerprint(right))
    if not result.equal:
        left_set, right_set = set(left), set(right)
        result.only_left = sorted(left_set - right_set)
        result.only_right = sorted(right_set - left_set)
    return result
