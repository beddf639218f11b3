"""The Spark lane: the raw files loaded as parquet tables into a local Spark catalog, every model,
data test and unit test built there with dbt-spark (session method), and every public table equal
to the DuckDB build of the same data.

Spark answers each statement in a fraction of a second however small the data, so the lane runs
on its own small dataset (SPARK_LANE_MEMBERS, default 300 members) and a DuckDB build of it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import SPARK_LANE_MEMBERS
from loyalty_warehouse.engines.spark import SparkReader, load_raw, spark_env
from loyalty_warehouse.report import PUBLIC_SCHEMAS
from loyalty_warehouse.runner import run_dbt
from table_compare import diff_rows, duckdb_public_tables, duckdb_rows, normalise_rows, select_sql, spark_rows

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_build(spark_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Java not found: the Spark lane needs a JDK 17 (apt-get install -y openjdk-17-jre-headless)")
    spark_dir = tmp_path_factory.mktemp("spark")
    loaded = load_raw(spark_raw, spark_dir)
    print("loaded into Spark:", loaded)
    assert loaded["raw_members"] == SPARK_LANE_MEMBERS
    output = run_dbt(
        ["build"],
        spark_dir / "unused.duckdb",
        target_path=spark_dir / "target",
        progress=print,
        extra_env=spark_env(spark_dir),
    )
    reader = SparkReader(spark_dir)
    yield reader, output
    reader.close()


def test_every_public_table_equals_duckdb(spark_build, spark_duckdb: Path) -> None:
    reader, _ = spark_build
    tables = duckdb_public_tables(spark_duckdb, include_duckdb_only=False)
    assert len(tables) >= 30, sorted(tables)
    assert reader.tables(PUBLIC_SCHEMAS) == set(tables)
    diffs, compared = [], 0
    for table, columns in tables.items():
        diff = diff_rows(table, duckdb_rows(spark_duckdb, table, columns), spark_rows(reader.session(), table, columns))
        print(f"{table:50} {diff.rows_left:>8} rows  duckdb {diff.fingerprint_left}  spark {diff.fingerprint_right}")
        compared += diff.rows_left > 0
        if not diff.equal:
            diffs.append(diff)
    assert compared >= 30, f"only {compared} public tables have rows at {SPARK_LANE_MEMBERS} members"
    assert not diffs, "tables differ between DuckDB and Spark:\n" + "\n".join(d.describe() for d in diffs)


def test_what_parquet_cannot_do_is_skipped_only_on_spark(spark_build) -> None:
    """The snapshot is not built on Spark; the data and unit tests are."""
    _, output = spark_build
    assert "snap_member_tiers" not in output
    assert "START unit_test fct_member_rfm::" in output
    assert "START test unique_fct_orders_order_id" in output
    done = [line for line in output.splitlines() if "Done. PASS=" in line]
    assert done and "ERROR=0" in done[-1], done


def parquet_rows(spark_dir: Path, table: str, columns: list[str]) -> list:
    """A public table read as docs/engines.md tells a user to, without Spark: DuckDB over the
    table's parquet files in the catalog folder."""
    schema, name = table.split(".")
    files = spark_dir / "spark-warehouse" / f"{schema}.db" / name / "*.parquet"
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f'create schema "{schema}"')
        con.execute(f'create view "{schema}"."{name}" as select * from read_parquet(\'{files.as_posix()}\')')
        return normalise_rows(con.execute(select_sql(table, columns)).fetchall())
    finally:
        con.close()


def public_views(spark_dir: Path) -> set[str]:
    """The public models the Spark build made views (they have no files of their own)."""
    manifest = json.loads((spark_dir / "target" / "manifest.json").read_text())
    return {
        f"{node['schema']}.{node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"]["materialized"] == "view"
        and node["schema"] in PUBLIC_SCHEMAS
    }


def test_public_tables_are_readable_without_spark(spark_build, spark_duckdb: Path) -> None:
    """Once the build has finished, every public table's parquet files read with DuckDB alone equal
    the DuckDB build: no Spark session or metastore is needed to read the results. A view (only
    fct_orders) has no files; docs/engines.md says where its rows are."""
    reader, _ = spark_build
    views = public_views(reader.spark_dir)
    assert views == {"member_facts.fct_orders"}
    tables = duckdb_public_tables(spark_duckdb, include_duckdb_only=False)
    diffs = []
    for table, columns in tables.items():
        if table in views:
            continue
        expected = duckdb_rows(spark_duckdb, table, columns)
        diff = diff_rows(table, expected, parquet_rows(reader.spark_dir, table, columns))
        if not diff.equal:
            diffs.append(diff)
    assert len(tables) - len(views) >= 30
    assert not diffs, "parquet files differ from the DuckDB build:\n" + "\n".join(d.describe() for d in diffs)
