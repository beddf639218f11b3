"""Incremental builds equal a full refresh.

The raw files are split into what had arrived by the morning of the last day (everything
before it, minus a sample of the two days before that which arrive late) and the complete
files. The warehouse is built from the first, rebuilt with no new data (nothing may change),
then built incrementally from the complete files; every row of every public table must equal
the full build of the complete files (the session's `built_warehouse`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from loyalty_warehouse.increments import split_last_day
from loyalty_warehouse.preflight import check_raw_dir
from loyalty_warehouse.runner import run_dbt
from table_compare import diff_rows, duckdb_public_tables, duckdb_rows

pytestmark = pytest.mark.e2e

MODELS_ONLY = ["build", "--exclude", "resource_type:test", "resource_type:unit_test", "resource_type:snapshot"]


def _public_rows(warehouse: Path) -> dict[str, list]:
    return {table: duckdb_rows(warehouse, table, columns) for table, columns in duckdb_public_tables(warehouse).items()}


def _run(raw: Path, warehouse: Path, work: Path, *extra: str) -> None:
    locations = check_raw_dir(raw.resolve(), work / f"placeholders-{raw.name}").locations
    run_dbt(
        [*MODELS_ONLY, *extra], warehouse, {"raw_locations": locations}, target_path=work / "target", progress=print
    )


@pytest.fixture(scope="module")
def early_build(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """The raw files as they stood on the morning of the last day, and a warehouse built from them
    (models only); each test continues from its own copy."""
    work = tmp_path_factory.mktemp("early")
    early = work / "raw_early"
    held_back = split_last_day(small_raw, early)
    warehouse = work / "early.duckdb"
    _run(early, warehouse, work)
    assert not warehouse.with_name(warehouse.name + ".wal").exists()  # closed and checkpointed: a copy is whole
    return early, warehouse, held_back


def test_incremental_build_equals_full_refresh(
    early_build: tuple[Path, Path, dict], small_raw: Path, built_warehouse: Path, tmp_path: Path
) -> None:
    early, early_warehouse, held_back = early_build
    print("rows arriving with the last day (including late ones):", held_back)
    assert all(rows > 0 for rows in held_back.values())
    warehouse = tmp_path / "incremental.duckdb"
    shutil.copy(early_warehouse, warehouse)
    before = _public_rows(warehouse)

    _run(early, warehouse, tmp_path)  # no new data
    again = _public_rows(warehouse)
    changed = [t for t in before if diff_rows(t, before[t], again[t]).equal is False]
    assert not changed, f"a re-run with no new data changed {changed}"

    _run(small_raw, warehouse, tmp_path)  # one more day, late rows included
    incremental = _public_rows(warehouse)
    full = _public_rows(built_warehouse)
    assert sorted(incremental) == sorted(full)
    assert incremental["member_facts.fct_interactions"] != before["member_facts.fct_interactions"]
    diffs = [diff_rows(t, incremental[t], full[t]) for t in sorted(full)]
    for d in diffs:
        print(f"{d.table:50} {d.rows_left:>8} rows  incremental {d.fingerprint_left}  full {d.fingerprint_right}")
    unequal = [d for d in diffs if not d.equal]
    assert not unequal, "incremental differs from full refresh:\n" + "\n".join(d.describe() for d in unequal)


def _with_conflicting_version_of_an_old_order(raw: Path, out: Path) -> str:
    """Copy ``raw`` to ``out`` with a second, different version of the first purchase of a member who
    bought again later (as a corrected re-export would deliver it); return its order id."""
    shutil.copytree(raw, out)
    orders = pq.read_table(out / "raw_orders.parquet")
    frame = orders.select(["order_id", "member_id", "ordered_at", "status"]).to_pandas()
    purchases = frame[frame["status"] == "paid"].sort_values(["ordered_at", "order_id"])
    repeaters = purchases.groupby("member_id")["order_id"].transform("size") >= 3
    old = purchases[repeaters].iloc[0]
    row = orders.slice(int(old.name), 1)
    position = row.schema.get_field_index("paid_amount")
    corrected = row.set_column(position, row.schema.field(position), pc.add(row["paid_amount"], 10.0))
    pq.write_table(pa.concat_tables([orders, corrected]), out / "raw_orders.parquet")
    return str(old["order_id"])


def test_a_conflicting_duplicate_of_an_old_order_on_a_later_day_equals_a_full_refresh(
    early_build: tuple[Path, Path, dict], small_raw: Path, tmp_path: Path
) -> None:
    """A later export holds a second version of a months-old order: the quarantine holds both back,
    and the incremental build must drop the order (and re-derive its member) as a full refresh does."""
    _, early_warehouse, _ = early_build
    later = tmp_path / "raw_later"
    order_id = _with_conflicting_version_of_an_old_order(small_raw, later)
    warehouse = tmp_path / "incremental.duckdb"
    shutil.copy(early_warehouse, warehouse)
    _run(later, warehouse, tmp_path)
    full = tmp_path / "full.duckdb"
    _run(later, full, tmp_path)
    con = duckdb.connect(str(full), read_only=True)
    try:
        held = con.execute(
            "select count(*) from quarantine.qrn_quarantined_rows where record_key = ? and quarantine_reason = ?",
            [order_id, "duplicate_id_conflict"],
        ).fetchone()[0]
    finally:
        con.close()
    assert held == 2
    incremental, refreshed = _public_rows(warehouse), _public_rows(full)
    assert sorted(incremental) == sorted(refreshed)
    unequal = [d for d in (diff_rows(t, incremental[t], refreshed[t]) for t in sorted(refreshed)) if not d.equal]
    assert not unequal, "incremental differs from full refresh:\n" + "\n".join(d.describe() for d in unequal)
