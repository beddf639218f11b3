"""great-expectations gates: every expectation passes on good data and fails on bad data.

GE evaluated against DuckDB through SQL can pass expectations it never evaluated, so each one is
run here on a frame built to satisfy it and on a frame built to break it (pandas route, as in the
build). The raw gate also stops a build before dbt runs, and writes its Data Docs.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from loyalty_warehouse import gates
from loyalty_warehouse.gates import Check, GateError, mart_checks, raw_checks, validate_frames
from loyalty_warehouse.preflight import check_raw_dir
from loyalty_warehouse.runner import BuildError, build, run_dbt

N = 200
BAD = 10  # 5 % of the rows: above the 1 % tolerance


def _frames(check: Check, good: bool) -> pd.DataFrame:
    """A frame that satisfies ``check`` (good) or breaks it (bad)."""
    kind, column = check.kind, check.column
    if kind == "ExpectTableRowCountToBeBetween":
        return pd.DataFrame({"row_present": [1] * (N if good else 0)})
    if kind == "ExpectColumnValuesToNotBeNull":
        values = ["x"] * N if good else ["x"] * (N - BAD) + [None] * BAD
    elif kind == "ExpectColumnValuesToBeNull":
        values = [None] * N if good else [None] * (N - BAD) + ["unknown_enum"] * BAD
    elif kind == "ExpectColumnProportionOfUniqueValuesToBeBetween":
        values = [f"K{i}" for i in range(N)] if good else [f"K{i % (N - BAD)}" for i in range(N)]
    elif kind == "ExpectColumnValuesToBeInSet":
        allowed = check.kwargs["value_set"][0]
        values = [allowed] * N if good else [allowed] * (N - BAD) + ["teleport"] * BAD
    elif kind == "ExpectColumnValuesToBeBetween":
        values = [10.0] * N if good else [10.0] * (N - BAD) + [-5.0] * BAD
    elif kind == "ExpectColumnMeanToBeBetween":
        values = [120.0] * N if good else [0.0] * N
    else:
        raise AssertionError(f"no counter-example for {kind}: add one")
    return pd.DataFrame({column: values})


ALL_CHECKS = [("raw", c) for c in raw_checks()] + [("marts", c) for c in mart_checks()]


@pytest.mark.parametrize("suite,check", ALL_CHECKS, ids=[f"{s}:{c.name}" for s, c in ALL_CHECKS])
def test_expectation_passes_on_good_data_and_fails_on_bad(suite: str, check: Check) -> None:
    good = validate_frames(suite, [check], {check.table: _frames(check, good=True)})
    assert good.success, good.failed
    bad = validate_frames(suite, [check], {check.table: _frames(check, good=False)})
    assert not bad.success
    assert bad.failed and bad.failed[0].startswith(check.name)


def test_raw_gate_stops_the_build_before_dbt_and_writes_data_docs(small_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(small_raw, raw)
    orders = pq.read_table(raw / "raw_orders.parquet")
    schema = pa.schema([field.with_nullable(True) for field in orders.schema])
    member_ids = orders["member_id"].to_pylist()
    broken = len(member_ids) // 20  # 5 % of the orders lose their member id
    member_ids[:broken] = [None] * broken
    position = orders.schema.get_field_index("member_id")
    pq.write_table(
        orders.cast(schema).set_column(position, "member_id", pa.array(member_ids)), raw / "raw_orders.parquet"
    )
    lines: list[str] = []
    with pytest.raises(GateError, match=r"raw gate failed: raw_orders: ExpectColumnValuesToNotBeNull\(member_id\)"):
        build(raw, tmp_path / "wh" / "loyalty.duckdb", target_path=tmp_path / "target", progress=lines.append)
    assert not any("dbt" in line for line in lines), "dbt must not run after a failed raw gate"
    docs = tmp_path / "wh" / "data_docs"
    assert (docs / "index.html").exists()
    pages = list((docs / "validations").rglob("*.html"))
    assert any("raw_orders" in page.read_text() for page in pages)


def test_ownership_is_not_duplicated() -> None:
    """GE owns shares and plausibility; dbt owns row-level rules. No GE check asks for zero bad rows."""
    for check in raw_checks() + mart_checks():
        if "mostly" in check.kwargs:
            assert check.kwargs["mostly"] == pytest.approx(1 - gates.MAX_BAD_SHARE)
        if check.kind == "ExpectColumnProportionOfUniqueValuesToBeBetween":
            assert check.kwargs["min_value"] < 1


def test_source_freshness_reads_the_file_modification_time(small_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(small_raw, raw)
    locations = check_raw_dir(raw, tmp_path / "placeholders").locations
    now, day = time.time(), 86_400
    # members fresh, orders 2 days old (warn after 1 day), interactions 4 days old (error after 3)
    for name, age in (("raw_members", 0), ("raw_orders", 2), ("raw_interactions", 4)):
        os.utime(raw / f"{name}.parquet", (now - age * day, now - age * day))
    lines: list[str] = []
    with pytest.raises(BuildError):
        run_dbt(
            ["source", "freshness"],
            tmp_path / "fresh.duckdb",
            {"raw_locations": locations},
            target_path=tmp_path / "target",
            progress=lines.append,
        )
    output = "\n".join(lines)
    assert "PASS freshness of raw.raw_members" in output
    assert "WARN freshness of raw.raw_orders" in output
    assert "ERROR STALE freshness of raw.raw_interactions" in output
