"""The published layout, and how readers (the dashboard, `loyalty query`, BI tools) reach the newest build.

``--warehouse warehouse/loyalty.duckdb`` names a published warehouse; a publish writes beside it::

    warehouse/
      loyalty.current.json          the pointer: which build is current (replaced atomically; the commit point)
      loyalty.duckdb                symlink -> builds/<build id>/loyalty.duckdb (a stable path for BI tools)
      loyalty-parquet               symlink -> exports/<build id> (the current Parquet export)
      builds/<build id>/loyalty.duckdb   one finished, checkpointed DuckDB file per build; never written again
      exports/<build id>/           one Parquet file per public table and manifest.json
      loyalty.building.duckdb       the working file of the build in progress (or of the last failed one)

The build id is ``<stem>-<UTC time of the publish>``, so builds sort by time and two warehouses can
share a folder. Each build file keeps the published file's name in a folder of its own: DuckDB names
a database's catalog after the file it opens (following a symlink), so ``loyalty.schema.table``
and dbt's relation names stay valid whichever build is open. The last ``keep_builds()`` builds (and
their exports) are kept, the current one always.

Why versioned files rather than one file replaced in place: DuckDB's Python module keeps one
database instance per path while any connection to it is open, so a process that still holds a
connection and connects again to the *same path* is handed the old build. A new build has a new
path, so a reader that resolves the pointer on every reconnect opens the new file. Readers here
also use a fresh in-memory DuckDB that ATTACHes the build read-only (named after the published
stem, like ``duckdb.connect('loyalty.duckdb')`` would name it), so the catalog name does not
change from build to build.

A reader holding an old build open is never disturbed: that file is not written again, and when it
is pruned (unlinked) an open file stays readable until it is closed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .db import connect

POINTER_VERSION = 1
DEFAULT_KEEP_BUILDS = 2
KEEP_BUILDS_ENV = "LOYALTY_KEEP_BUILDS"
AS_OF_SQL = "select max(as_of_date) from member_facts.fct_members"


class WarehouseNotFound(FileNotFoundError):
    """There is no published warehouse at the path; the message says how to build one."""


class KeepBuildsError(ValueError):
    """LOYALTY_KEEP_BUILDS (or --keep-builds) is not a whole number of at least 1."""


def missing_warehouse_message(warehouse: Path) -> str:
    return f"no warehouse at {warehouse}: run `make demo` or `loyalty build --warehouse {warehouse}` first"


def keep_builds(value: str | int | None = None) -> int:
    """How many published builds stay on disk (``LOYALTY_KEEP_BUILDS``, default 2; at least 1)."""
    raw = os.environ.get(KEEP_BUILDS_ENV, DEFAULT_KEEP_BUILDS) if value is None else value
    try:
        count = int(raw)
    except (TypeError, ValueError):
        count = 0
    if count < 1:
        raise KeepBuildsError(f"{KEEP_BUILDS_ENV}={raw!r}: give a whole number of builds to keep, 1 or more")
    return count


def stable_path(warehouse: Path | str) -> Path:
    """``warehouse`` made absolute without following symlinks (the published path *is* a symlink)."""
    return Path(os.path.abspath(warehouse))


@dataclass(frozen=True)
class Layout:
    """Every path of one published warehouse, derived from its stable path (``--warehouse``)."""

    warehouse: Path

    @property
    def folder(self) -> Path:
        return self.warehouse.parent

    @property
    def stem(self) -> str:
        return self.warehouse.stem

    @property
    def pointer(self) -> Path:
        return self.folder / f"{self.stem}.current.json"

    @property
    def builds_dir(self) -> Path:
        return self.folder / "builds"

    @property
    def exports_dir(self) -> Path:
        return self.folder / "exports"

    @property
    def parquet_link(self) -> Path:
        return self.folder / f"{self.stem}-parquet"

    def build_dir(self, build_id: str) -> Path:
        return self.builds_dir / build_id

    def build_file(self, build_id: str) -> Path:
        return self.build_dir(build_id) / self.warehouse.name

    def export_dir(self, build_id: str) -> Path:
        return self.exports_dir / build_id

    def new_build_id(self, now: dt.datetime | None = None) -> str:
        """``<stem>-YYYYmmddTHHMMSS.ffffffZ``: sorts by time; unique even for two publishes in one second."""
        moment = now or dt.datetime.now(dt.UTC)
        build_id = f"{self.stem}-{moment:%Y%m%dT%H%M%S.%fZ}"
        while self.build_dir(build_id).exists():  # a clock that went backwards, or a very fast machine
            moment += dt.timedelta(microseconds=1)
            build_id = f"{self.stem}-{moment:%Y%m%dT%H%M%S.%fZ}"
        return build_id

    def published_build_ids(self) -> list[str]:
        """Build ids on disk for this warehouse, oldest first."""
        if not self.builds_dir.is_dir():
            return []
        return sorted(p.parent.name for p in self.builds_dir.glob(f"{self.stem}-*/{self.warehouse.name}"))


@dataclass(frozen=True)
class PublishedBuild:
    """One published build, as the pointer names it (or a plain DuckDB file given directly)."""

    warehouse: Path  # the stable path the reader asked for
    database: Path  # the file to open
    build_id: str | None  # None for a plain file (no pointer beside it)
    built_at: str  # UTC, ISO 8601 to the second
    as_of_date: str | None
    exports: Path | None  # the Parquet export of this build, when there is one

    def info(self) -> dict:
        return {
            "warehouse": str(self.warehouse),
            "build_id": self.build_id,
            "database": str(self.database),
            "as_of_date": self.as_of_date,
            "built_at": self.built_at,
            "exports": str(self.exports) if self.exports else None,
        }


def _iso_mtime(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).isoformat(timespec="seconds")


def read_pointer(layout: Layout) -> dict | None:
    """The pointer's content, or None when there is none; a damaged pointer is a one-line error."""
    try:
        text = layout.pointer.read_text()
    except FileNotFoundError:
        return None
    try:
        pointer = json.loads(text)
        pointer["build_id"], pointer["database"]  # noqa: B018 - the two keys every reader needs
    except (ValueError, KeyError, TypeError) as exc:
        raise WarehouseNotFound(
            f"{layout.pointer} is not a valid build pointer ({exc}); publish again with `loyalty build`"
        ) from exc
    return pointer


def current_build(warehouse: Path) -> PublishedBuild:
    """The build a reader should open now: the pointer's, else ``warehouse`` itself if it is a DuckDB file."""
    warehouse = stable_path(warehouse)
    layout = Layout(warehouse)
    pointer = read_pointer(layout)
    if pointer is not None:
        database = layout.folder / pointer["database"]
        exports = layout.folder / pointer["exports"] if pointer.get("exports") else None
        return PublishedBuild(
            warehouse,
            database,
            pointer["build_id"],
            pointer.get("built_at") or _iso_mtime(database),
            pointer.get("as_of_date"),
            exports,
        )
    # No pointer: a file copied or built by hand (or a folder from before versioned builds).
    if not warehouse.is_file():
        raise WarehouseNotFound(missing_warehouse_message(warehouse))
    return PublishedBuild(warehouse, warehouse.resolve(), None, _iso_mtime(warehouse), None, None)


def _attach(build: PublishedBuild) -> duckdb.DuckDBPyConnection:
    catalog = build.warehouse.stem.replace('"', '""')
    location = str(build.database).replace("'", "''")
    con = connect()  # in memory, in UTC (see db.py)
    try:
        con.execute(f"attach '{location}' as \"{catalog}\" (read_only)")
        con.execute(f'use "{catalog}"')
    except duckdb.Error:
        con.close()
        raise
    return con


def open_current(warehouse: Path, attempts: int = 3) -> tuple[duckdb.DuckDBPyConnection, PublishedBuild]:
    """A read-only connection to the current build and which build it is; the caller closes it.

    The pointer is read once, so everything read on this connection comes from that one build.
    If the build was pruned between reading the pointer and opening it (only possible when two
    publishes happen in that instant), the pointer is read again.
    """
    for attempt in range(attempts):
        build = current_build(warehouse)
        try:
            return _attach(build), build
        except duckdb.IOException as exc:
            if build.build_id is not None and not build.database.exists() and attempt + 1 < attempts:
                time.sleep(0.05)
                continue
            raise WarehouseNotFound(
                f"{build.database} cannot be opened ({exc}); rebuild it with `loyalty build`"
            ) from exc
        except duckdb.Error as exc:
            raise WarehouseNotFound(
                f"{build.database} cannot be opened as a DuckDB warehouse ({exc}); rebuild it with `loyalty build`"
            ) from exc
    raise AssertionError("unreachable")


def connect_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current build of ``warehouse`` (``schema.table`` names); the caller closes it.

    Call it again to see a newer build: each call resolves the pointer afresh.
    """
    return open_current(warehouse)[0]


@contextmanager
def reading(warehouse: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    """``with reading(path) as (con, info)``: one build's connection and its info (as_of_date from that build)."""
    con, build = open_current(warehouse)
    try:
        row = con.execute(AS_OF_SQL).fetchone()
        as_of = row[0].isoformat() if row and row[0] is not None else None
        yield con, build.info() | {"as_of_date": as_of}
    finally:
        con.close()


def build_info(warehouse: Path) -> dict:
    """What build is current: build id, ``as_of_date`` (from member_facts.fct_members), ``built_at`` (UTC)."""
    with reading(warehouse) as (_con, info):
        return info
