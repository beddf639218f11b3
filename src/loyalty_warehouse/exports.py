"""Parquet export of every public table, written when a build is published.

One file per table, ``<schema>.<table>.parquet``, and ``manifest.json`` (build id, build time,
as_of_date, and per table its file and row count). The export is written into
``<folder>.partial`` and renamed onto ``<folder>`` only when every file and the manifest are on
disk; the pointer (published.py) is switched after that, so a reader that follows the pointer
never sees a half-written export.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .db import connect, quote_path
from .report import PUBLIC_SCHEMAS

MANIFEST_NAME = "manifest.json"
Progress = Callable[[str], None]


class ExportError(Exception):
    """The export could not be written; the message names the table and the folder."""


@dataclass
class ExportResult:
    folder: Path
    tables: dict[str, int]  # schema.table -> rows
    seconds: float


def public_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every public table of the database ``con`` is using, sorted."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema in "
        f"({', '.join('?' for _ in PUBLIC_SCHEMAS)}) order by 1, 2",
        list(PUBLIC_SCHEMAS),
    ).fetchall()
    return [(schema, table) for schema, table in rows]


def fsync(path: Path) -> None:
    """Flush a file or folder to disk (a rename is only as durable as what it renames)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_name(table: str) -> str:
    return f"{table}.parquet"


def _write_tables(con: duckdb.DuckDBPyConnection, partial: Path) -> dict[str, int]:
    tables: dict[str, int] = {}
    for schema, name in public_tables(con):
        table = f"{schema}.{name}"
        target = partial / file_name(table)
        try:
            con.execute(f'copy (select * from "{schema}"."{name}") to {quote_path(target)} (format parquet)')
            tables[table] = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        except duckdb.Error as exc:
            raise ExportError(f"exporting {table} to {target} failed: {str(exc).splitlines()[0]}") from exc
    return tables


def export_public_tables(database: Path, folder: Path, build: dict) -> ExportResult:
    """Export every public table of ``database`` to ``folder`` (which must not exist yet).

    ``build`` goes into the manifest as it is (build_id, built_at, as_of_date).
    """
    started = time.perf_counter()
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)  # left over from a publish that was killed
    partial.mkdir(parents=True)
    con = connect()
    try:
        con.execute(f"attach {quote_path(database)} as exported (read_only)")
        con.execute("use exported")
        tables = _write_tables(con, partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        con.close()
    seconds = time.perf_counter() - started
    manifest = {
        **build,
        "export_seconds": round(seconds, 3),
        "tables": [{"table": table, "file": file_name(table), "rows": rows} for table, rows in tables.items()],
    }
    (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    for written in [*partial.iterdir(), partial]:  # on disk before the rename makes them visible
        fsync(written)
    partial.rename(folder)
    fsync(folder.parent)
    return ExportResult(folder, tables, seconds)


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST_NAME).read_text())
