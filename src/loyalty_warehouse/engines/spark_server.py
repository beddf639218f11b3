"""The warehouse on a Spark Thrift server: the raw loader and `loyalty build --target spark`.

Every statement goes through the Thrift server (the local cluster of `loyalty spark start`, or a
user's own, named by LOYALTY_SPARK_HOST/PORT), which runs it on the cluster's executors. The raw
loader checks the folder with the preflight, writes each file with the contract's columns and
types to a staging folder the cluster can read (LOYALTY_SPARK_STAGING_DIR), and creates the raw
tables from there with `create table ... as select` on the cluster: the rows never pass through
this process.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..contract import RAW_TABLES
from ..preflight import PreflightResult, check_raw_dir
from ..report import DUCKDB_ONLY_TABLES, PUBLIC_SCHEMAS
from ..runner import run_dbt
from .postgres import typed_file_select

Progress = Callable[[str], None]
RAW_SCHEMA = "raw"
LOADING_SUFFIX = "__loading"
DEFAULT_CLUSTER_DIR = paths.DEFAULT_WAREHOUSE.parent / "spark"

_SPARK_TYPES = {
    "varchar": "string",
    "timestamp": "timestamp",
    "double": "double",
    "bigint": "bigint",
    "boolean": "boolean",
}


def _quiet(_line: str) -> None:
    pass


class SparkConnectionError(Exception):
    """The Thrift server cannot be reached; the message says what to start or set."""


@dataclass(frozen=True)
class SparkSettings:
    """Where the Thrift server is, and the staging folder it can read."""

    host: str = "127.0.0.1"
    port: int = 10000
    user: str = "loyalty"
    staging_dir: Path = DEFAULT_CLUSTER_DIR / "raw-staging"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SparkSettings:
        env = dict(os.environ if env is None else env)
        return cls(
            host=env.get("LOYALTY_SPARK_HOST", cls.host),
            port=int(env.get("LOYALTY_SPARK_PORT", cls.port)),
            user=env.get("LOYALTY_SPARK_USER", cls.user),
            staging_dir=Path(env.get("LOYALTY_SPARK_STAGING_DIR", str(cls.staging_dir))),
        )

    def url(self) -> str:
        return f"thrift://{self.host}:{self.port}"

    def connect(self):
        """A PyHive connection (DB-API) to the Thrift server."""
        from pyhive import hive
        from thrift.transport.TTransport import TTransportException

        try:
            return hive.connect(host=self.host, port=self.port, username=self.user)
        except (TTransportException, OSError) as exc:
            raise SparkConnectionError(
                f"cannot reach the Spark Thrift server at {self.host}:{self.port} ({exc}); start the local cluster "
                "with `loyalty spark start`, or set LOYALTY_SPARK_HOST and LOYALTY_SPARK_PORT to your own"
            ) from exc

    def dbt_env(self) -> dict[str, str]:
        """What dbt's `spark` target (profiles/profiles.yml) reads."""
        return {
            "LOYALTY_TARGET": "spark",
            "LOYALTY_SPARK_HOST": self.host,
            "LOYALTY_SPARK_PORT": str(self.port),
            "LOYALTY_SPARK_USER": self.user,
        }


class SparkQueryError(Exception):
    """A statement failed on the server; the message is Spark's own first line."""


def execute(con, sql: str) -> list[tuple]:
    """Run one statement; a failure becomes one line (Spark's error class and message), not a Java stack."""
    from pyhive.exc import OperationalError

    cursor = con.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else []
    except OperationalError as exc:
        status = getattr(exc.args[0], "status", None) if exc.args else None
        message = getattr(status, "errorMessage", None) or str(exc)
        raise SparkQueryError(f"{message.splitlines()[0]} (statement: {sql[:200]})") from None
    finally:
        cursor.close()


# --------------------------------------------------------------------------- the raw loader


def stage_files(pre: PreflightResult, staging_dir: Path) -> dict[str, Path]:
    """One parquet file per raw table with exactly the contract's columns and types (CSV or parquet in)."""
    from ..db import connect

    staging_dir.mkdir(parents=True, exist_ok=True)
    staged = {}
    con = connect()
    try:
        con.execute("set TimeZone = 'UTC'")  # zoned parquet timestamps become UTC wall-clock times
        for table in RAW_TABLES:
            target = staging_dir / f"{table.name}.parquet"
            quoted = str(target).replace("'", "''")
            con.execute(f"copy ({typed_file_select(pre.locations[table.name], table)}) to '{quoted}' (format parquet)")
            staged[table.name] = target
    finally:
        con.close()
    return staged


def _create_from_staged(con, schema: str, table_name: str, staged: Path, created: str) -> int:
    """Create ``schema.created`` on the cluster from the staged file of raw table ``table_name``."""
    table = next(t for t in RAW_TABLES if t.name == table_name)
    columns = ", ".join(f"cast({c.name} as {_SPARK_TYPES[c.sql_type]}) as {c.name}" for c in table.columns)
    execute(con, f"create table {schema}.{created} using parquet as select {columns} from parquet.`{staged}`")
    return int(execute(con, f"select count(*) from {schema}.{created}")[0][0])


def load_raw_tables(
    settings: SparkSettings, pre: PreflightResult, schema: str = RAW_SCHEMA, progress: Progress = _quiet
) -> dict[str, int]:
    """Replace the raw tables in database ``schema`` with the checked files.

    Each table is built as ``<table>__loading`` beside the one in use and renamed over it only when
    every table has loaded, so a file the cluster cannot read leaves the raw tables as they were.
    """
    staged = stage_files(pre, settings.staging_dir)
    con = settings.connect()
    rows: dict[str, int] = {}
    try:
        execute(con, f"create database if not exists {schema}")
        for name, path in staged.items():
            execute(con, f"drop table if exists {schema}.{name}{LOADING_SUFFIX}")
            rows[name] = _create_from_staged(con, schema, name, path, f"{name}{LOADING_SUFFIX}")
            absent = " (optional table absent: empty)" if name in pre.placeholders else ""
            progress(f"  loaded {name}: {rows[name]:,} rows{absent}")
        # Spark has no transaction across tables (and cannot rename across databases): one
        # drop and rename per table, after every table has loaded
        for name in staged:
            execute(con, f"drop table if exists {schema}.{name}")
            execute(con, f"alter table {schema}.{name}{LOADING_SUFFIX} rename to {schema}.{name}")
    finally:
        con.close()
    return rows


def load_raw(
    settings: SparkSettings, raw_dir: Path, progress: Progress = _quiet
) -> tuple[PreflightResult, dict[str, int]]:
    """Check ``raw_dir`` with the preflight and load it into database `raw` through the Thrift server."""
    with tempfile.TemporaryDirectory(prefix="loyalty-placeholders-") as placeholders:
        progress(f"checking raw files in {raw_dir}")
        pre = check_raw_dir(raw_dir.resolve(), Path(placeholders))
        for note in pre.notes():
            progress(f"  note: {note}")
        progress(
            f"loading the raw files into {settings.url()} database {RAW_SCHEMA} (staged in {settings.staging_dir})"
        )
        rows = load_raw_tables(settings, pre, progress=progress)
    return pre, rows


# --------------------------------------------------------------------------- the build


@dataclass
class SparkBuildResult:
    settings: SparkSettings
    raw_rows: dict[str, int]
    seconds: float
    load_seconds: float
    public_rows: dict[str, int] = field(default_factory=dict)


def public_tables(con) -> list[str]:
    """schema.table of every public table on the server (the DuckDB-only ones are never built there)."""
    found = []
    databases = {row[0] for row in execute(con, "show databases")}
    for schema in PUBLIC_SCHEMAS:
        if schema in databases:
            found += [f"{schema}.{row[1]}" for row in execute(con, f"show tables in {schema}") if not row[2]]
    return sorted(t for t in found if t not in DUCKDB_ONLY_TABLES)


def public_row_counts(settings: SparkSettings) -> dict[str, int]:
    con = settings.connect()
    try:
        return {table: int(execute(con, f"select count(*) from {table}")[0][0]) for table in public_tables(con)}
    finally:
        con.close()


def build_spark(
    raw_dir: Path,
    settings: SparkSettings | None = None,
    extra_vars: dict | None = None,
    target_path: Path | None = None,
    progress: Progress | None = None,
    *,
    full_refresh: bool = False,
) -> SparkBuildResult:
    """Load the raw folder and build every model, data test and unit test on the Thrift server."""
    say = progress or _quiet
    settings = settings or SparkSettings.from_env()
    started = time.perf_counter()
    _, raw_rows = load_raw(settings, raw_dir, say)
    load_seconds = time.perf_counter() - started
    target = target_path or paths.PROJECT_DIR / "target" / "spark"
    say(f"building with dbt on {settings.url()} (Spark's own log: the cluster's logs/spark.log)")
    with tempfile.TemporaryDirectory(prefix="loyalty-spark-build-") as scratch:
        run_dbt(
            ["build", *(["--full-refresh"] if full_refresh else [])],
            Path(scratch) / "unused.duckdb",
            dict(extra_vars or {}),
            target,
            say,
            settings.dbt_env(),
        )
    shutil.rmtree(settings.staging_dir, ignore_errors=True)  # the raw tables hold their own copy
    seconds = time.perf_counter() - started
    return SparkBuildResult(settings, raw_rows, seconds, load_seconds, public_row_counts(settings))
