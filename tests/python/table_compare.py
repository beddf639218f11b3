"""Compare the public tables of two builds (two engines, or incremental vs full refresh).

Values are normalised before comparing so that representation differences that
carry no meaning (Decimal('600') vs 600.0, bigint vs int, a timestamp's Python
type) do not count, while any difference in a value does: numbers are compared
to 9 significant digits, text exactly.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import duckdb

from loyalty_warehouse.report import DUCKDB_ONLY_TABLES, PUBLIC_SCHEMAS

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


def duckdb_public_tables(
    warehouse: Path, schemas: Sequence[str] = PUBLIC_SCHEMAS, *, include_duckdb_only: bool = True
) -> dict[str, list[str]]:
    """{schema.table: [columns in order]} for the public tables of a DuckDB warehouse; without
    ``include_duckdb_only``, leave out the tables other engines do not build (DUCKDB_ONLY_TABLES)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_schema || '.' || table_name, column_name from information_schema.columns "
            f"where table_schema in {tuple(schemas)} order by table_schema, table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if include_duckdb_only or table not in DUCKDB_ONLY_TABLES:
            tables.setdefault(table, []).append(column)
    return tables


def select_sql(table: str, columns: Sequence[str]) -> str:
    schema, name = table.split(".")
    return f'select {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} from "{schema}"."{name}"'


def duckdb_rows(warehouse: Path, table: str, columns: Sequence[str]) -> list[Row]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return normalise_rows(con.execute(select_sql(table, columns)).fetchall())
    finally:
        con.close()


def server_rows(connection, table: str, columns: Sequence[str]) -> list[Row]:
    """Every row of ``schema.table`` from a DB-API connection (PostgreSQL), normalised."""
    with connection.cursor() as cur:
        cur.execute(select_sql(table, columns))
        return normalise_rows(cur.fetchall())


def spark_rows(session, table: str, columns: Sequence[str]) -> list[Row]:
    """Every row of ``schema.table`` from a Spark session, normalised."""
    frame = session.table(table).select(*(f"`{c}`" for c in columns))
    return normalise_rows(tuple(row) for row in frame.collect())
