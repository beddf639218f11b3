"""Incremental builds equal a full refresh.

The raw files are split into what had arrived by the morning of the last day (everything
before it, minus a sample of the two days before that which arrive late) and the complete
files. The warehouse is built from the first, rebuilt with no new data (nothing may change),
then built incrementally from the complete files; every row of every public table must equal
the full build of the complete files (the session's `built_warehouse`).
"""

from __future__ import annotations

from pathlib import Path

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
    run_dbt([*MODELS_ONLY, *extra], warehouse, {"raw_locations": locations}, target_path=work / "target", progress=print)


def test_incremental_build_equals_full_refresh(small_raw: Path, built_warehouse: Path, tmp_path: Path) -> None:
    early = tmp_path / "raw_early"
    held_back = split_last_day(small_raw, early)
    print("rows arriving with the last day (including late ones):", held_back)
    assert all(rows > 0 for rows in held_back.values())
    warehouse = tmp_path / "incremental.duckdb"

    _run(early, warehouse, tmp_path)
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
