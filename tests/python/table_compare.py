"""Compare the public tables of two builds (two engines, or incremental vs full refresh).

Rows are compared with loyalty_warehouse.rowdiff (values normalised, numbers to 9
significant digits, text exactly); this module lists and reads the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from loyalty_warehouse.report import DUCKDB_ONLY_COLUMNS, DUCKDB_ONLY_TABLES, PUBLIC_SCHEMAS
from loyalty_warehouse.rowdiff import Row, TableDiff, diff_rows, normalise_rows

__all__ = ["Row", "TableDiff", "diff_rows", "normalise_rows"]


def duckdb_public_tables(
    warehouse: Path, schemas: Sequence[str] = PUBLIC_SCHEMAS, *, include_duckdb_only: bool = True
) -> dict[str, list[str]]:
    """{schema.table: [columns in order]} for the public tables of a DuckDB warehouse; without
    ``include_duckdb_only``, leave out the tables other engines do not build (DUCKDB_ONLY_TABLES) and the
    columns they leave null (DUCKDB_ONLY_COLUMNS)."""
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
        if include_duckdb_only or (
            table not in DUCKDB_ONLY_TABLES and column not in DUCKDB_ONLY_COLUMNS.get(table, frozenset())
        ):
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


def thrift_rows(connection, table: str, columns: Sequence[str]) -> list[Row]:
    """Every row of ``schema.table`` through a Spark Thrift server (a PyHive connection), normalised."""
    schema, name = table.split(".")
    cursor = connection.cursor()
    try:
        cursor.execute(f"select {', '.join(f'`{c}`' for c in columns)} from `{schema}`.`{name}`")
        return normalise_rows(cursor.fetchall())
    finally:
        cursor.close()
