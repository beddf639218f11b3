"""DuckDB connections for the Python side, all in UTC.

DuckDB's session time zone defaults to the process's local zone, and casting a UTC timestamp with a
zone (Parquet `timestamp[tz=UTC]`, CSV text ending in `Z`) to the contract's plain `timestamp` converts
it to that zone: under `TZ=Asia/Shanghai` every time would move by eight hours. Every connection the
project opens - here, and dbt's through the profile's `settings` - sets the zone to UTC, so results do
not depend on the machine.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (in memory when ``path`` is None) whose time zone is UTC."""
    con = duckdb.connect(":memory:" if path is None else str(path), read_only=read_only)
    con.execute("set TimeZone = 'UTC'")
    return con


def quote_path(path: Path | str) -> str:
    """A file path as a SQL string literal (a quote in a folder name must not end the string)."""
    return "'" + str(path).replace("'", "''") + "'"
