"""How readers (the dashboard, and later other consumers) reach the published warehouse.

Every reader goes through these two functions, so that how a build is published (today one file
replaced with ``os.replace``; later perhaps versioned files behind a pointer) can change in one place.

Why a fresh in-memory DuckDB that ATTACHes the file, rather than ``duckdb.connect(path)``:
DuckDB's Python module caches one database instance per path while any connection to it is open,
so a connection opened just after a publish, while an older one is still open in the same process,
would be handed the *old* file. An in-memory instance of its own opens whatever file the path names
at that moment. Attached read-only, it cannot write and does not block a build (builds write a
separate working file, see runner.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from .db import connect


class WarehouseNotFound(FileNotFoundError):
    """There is no published warehouse at the path; the message says how to build one."""


def missing_warehouse_message(warehouse: Path) -> str:
    return f"no warehouse at {warehouse}: run `make demo` or `loyalty build --warehouse {warehouse}` first"


def connect_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the build published at ``warehouse``; the caller closes it.

    Queries name tables as ``schema.table`` (the attached file is the default catalog, named after
    the file like ``duckdb.connect(path)`` would name it).
    """
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise WarehouseNotFound(missing_warehouse_message(warehouse))
    catalog = warehouse.stem.replace('"', '""')
    location = str(warehouse).replace("'", "''")
    con = connect()  # in memory, in UTC (see db.py)
    try:
        con.execute(f"attach '{location}' as \"{catalog}\" (read_only)")
        con.execute(f'use "{catalog}"')
    except duckdb.Error as exc:
        con.close()
        raise WarehouseNotFound(
            f"{warehouse} cannot be opened as a DuckDB warehouse ({exc}); rebuild it with `loyalty build`"
        ) from exc
    return con


def build_info(warehouse: Path) -> dict:
    """What build is published: ``as_of_date`` (from member_facts.fct_members) and ``built_at``.

    ``built_at`` is the published file's modification time (UTC): a publish renames the finished
    working file onto the path, so it is when that build wrote its last byte.
    """
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise WarehouseNotFound(missing_warehouse_message(warehouse))
    modified = warehouse.stat().st_mtime
    con = connect_published(warehouse)
    try:
        row = con.execute("select max(as_of_date) from member_facts.fct_members").fetchone()
    finally:
        con.close()
    return {
        "warehouse": str(warehouse),
        "as_of_date": row[0].isoformat() if row and row[0] is not None else None,
        "built_at": dt.datetime.fromtimestamp(modified, tz=dt.timezone.utc).isoformat(timespec="seconds"),
    }
