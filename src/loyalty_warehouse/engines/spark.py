"""The Spark lane: raw files registered as parquet tables in a local Spark catalog, and dbt run there.

dbt-spark's `session` method runs Spark inside the dbt process (pyspark, ``local[*]``) with a
Hive catalog kept in an embedded Derby metastore. Derby admits one process at a time, so the
raw tables are loaded by a separate Python process (``python -m loyalty_warehouse.engines.spark``)
that exits before dbt starts, and the built tables are read once dbt has finished. Everything
Spark writes (``spark-warehouse/``, ``metastore_db/``, ``derby.log``) goes under one folder,
``LOYALTY_SPARK_DIR``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..contract import RAW_TABLES

_SPARK_TYPES = {
    "varchar": "string",
    "timestamp": "timestamp",
    "double": "double",
    "bigint": "bigint",
    "boolean": "boolean",
}


def session_conf(spark_dir: Path) -> dict[str, str]:
    """Spark settings of the loader and the reader; the same as the `spark` target in profiles/profiles.yml."""
    return {
        "spark.master": os.environ.get("LOYALTY_SPARK_MASTER", "local[*]"),
        "spark.driver.memory": os.environ.get("LOYALTY_SPARK_MEMORY", "2g"),
        "spark.sql.shuffle.partitions": os.environ.get("LOYALTY_SPARK_SHUFFLE_PARTITIONS", "2"),
        "spark.default.parallelism": "2",
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": "false",  # dbt-spark forces this off; the loader and reader match it
        "spark.sql.cteRecursionLevelLimit": "-1",  # the referral-loop check walks chains recursively (D61)
        "spark.sql.cteRecursionRowLimit": "-1",
        "spark.sql.warehouse.dir": f"{spark_dir}/spark-warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
    }


def spark_env(spark_dir: Path) -> dict[str, str]:
    """Environment for dbt's `spark_session` target (Spark in the dbt process) and for its loader."""
    return {
        "LOYALTY_TARGET": "spark_session",
        "LOYALTY_SPARK_DIR": str(spark_dir),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def open_session(spark_dir: Path):
    """A Spark session on the catalog under ``spark_dir`` (starts the JVM in this process)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("loyalty-warehouse").enableHiveSupport()
    for key, value in session_conf(spark_dir).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def load_raw_with_session(spark, raw_dir: Path, schema: str = "raw") -> dict[str, int]:
    """(Re)create ``schema`` with one parquet table per raw table, typed as the contract says.

    A missing optional file gives an empty table, as the DuckDB and PostgreSQL lanes do.
    """
    spark.sql(f"drop database if exists {schema} cascade")
    spark.sql(f"create database {schema}")
    counts = {}
    for table in RAW_TABLES:
        columns = [(c.name, _SPARK_TYPES[c.sql_type]) for c in table.columns]
        path = raw_dir / f"{table.name}.parquet"
        if not path.exists():
            ddl = ", ".join(f"{name} {kind}" for name, kind in columns)
            spark.sql(f"create table {schema}.{table.name} ({ddl}) using parquet")
            continue
        frame = spark.read.parquet(str(path.resolve()))
        # timestamps in the files carry no time zone: they are UTC, and the session zone is UTC
        typed = frame.selectExpr(*(f"cast({name} as {kind}) as {name}" for name, kind in columns))
        typed.write.format("parquet").mode("overwrite").saveAsTable(f"{schema}.{table.name}")
        counts[table.name] = spark.table(f"{schema}.{table.name}").count()
    return counts


def load_raw(raw_dir: Path, spark_dir: Path) -> dict[str, int]:
    """Load ``raw_dir`` into the catalog under ``spark_dir`` from a child process (it releases the metastore)."""
    spark_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "loyalty_warehouse.engines.spark",
            "--raw-dir",
            str(raw_dir),
            "--spark-dir",
            str(spark_dir),
        ],
        cwd=spark_dir,
        env=os.environ | spark_env(spark_dir),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"loading the raw files into Spark failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    counts = {}
    for line in proc.stdout.splitlines():
        if line.startswith("loaded "):
            name, rows = line.removeprefix("loaded ").split(": ")
            counts[name] = int(rows.split()[0].replace(",", ""))
    return counts


@dataclass
class SparkReader:
    """Reads built tables from the catalog under ``spark_dir`` once dbt has finished."""

    spark_dir: Path
    _session: object = field(default=None, init=False, repr=False)

    def session(self):
        if self._session is None:
            self._session = open_session(self.spark_dir)
        return self._session

    def tables(self, schemas: tuple[str, ...]) -> set[str]:
        spark = self.session()
        found = set()
        for schema in schemas:
            if spark.catalog.databaseExists(schema):
                found |= {f"{schema}.{t.name}" for t in spark.catalog.listTables(schema)}
        return found

    def close(self) -> None:
        """Stop Spark and its JVM (which holds the Derby metastore)."""
        if self._session is None:
            return
        from pyspark import SparkContext

        self._session.stop()
        gateway = SparkContext._gateway
        if gateway is not None:
            proc = getattr(gateway, "proc", None)
            gateway.shutdown()
            if proc is not None:
                # the JVM that pyspark started exits when its stdin closes
                if proc.stdin is not None:
                    proc.stdin.close()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.terminate()
                    proc.wait(timeout=30)
        SparkContext._gateway = None
        SparkContext._jvm = None
        self._session = None


def main(argv: list[str] | None = None) -> None:
    """Load a raw folder into the Spark catalog that `LOYALTY_TARGET=spark dbt build` then reads."""
    import argparse

    from .. import paths

    parser = argparse.ArgumentParser(
        prog="python -m loyalty_warehouse.engines.spark",
        description="Create database `raw` with one parquet table per raw file (the contract's types) in the "
        "local Spark catalog under --spark-dir (the LOYALTY_SPARK_DIR that dbt's `spark` target uses).",
    )
    parser.add_argument("--raw-dir", type=Path, default=paths.DEFAULT_RAW_DIR)
    parser.add_argument("--spark-dir", type=Path, default=Path(os.environ.get("LOYALTY_SPARK_DIR", ".")))
    args = parser.parse_args(argv)
    spark_dir = args.spark_dir.resolve()
    spark = open_session(spark_dir)
    try:
        counts = load_raw_with_session(spark, args.raw_dir.resolve())
    finally:
        spark.stop()
    for table, rows in counts.items():
        print(f"loaded {table}: {rows:,} rows")


if __name__ == "__main__":
    main()
