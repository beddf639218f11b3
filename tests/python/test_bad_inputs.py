"""The bad-input suite: one small dataset with every row-level bad-input class planted, built once.

Each class is asserted on its exact outcome: quarantined with the right reason (and absent from
staging), or kept and cleaned; and no raw row is lost (raw = staged + quarantined + exact replays).
File-level errors (missing file or column, wrong type, empty file, malformed or non-UTF-8 CSV line,
mixed time zones) stop the build in preflight and are covered in test_preflight.py; the gates in
test_gates.py; publishing in test_publish.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from loyalty_warehouse.contract import RAW_TABLES
from loyalty_warehouse.generator import BAD_ROW_CLASSES, GeneratorConfig, generate
from loyalty_warehouse.runner import build

pytestmark = pytest.mark.e2e

# bad-input class -> reason code it must be quarantined with (None: the row is kept)
EXPECTED_REASON = {
    "duplicate_id_different_content": "duplicate_id_conflict",
    "orphan_member_id": "orphan_member_id",
    "negative_amount": "negative_amount",
    "refund_exceeds_paid": "refund_exceeds_paid",
    "future_timestamp": "future_timestamp",
    "unknown_enum": "unknown_enum",
    "self_referral": "self_referral",
    "empty_string_id": "missing_member_id",
    "exact_replay": None,
    "absurd_amount": "absurd_amount",
    "before_brand_start": "before_brand_start",
    "referral_loop": "referral_loop",
    "mixed_width_text": None,
    "late_arriving_event": None,
    # planted by this module (the generator's Parquet schema cannot hold them)
    "null_member_id": "missing_member_id",
    "orphan_of_quarantined_member": "orphan_member_id",
}
KEY = {"raw_members": "member_id", "raw_orders": "order_id", "raw_interactions": "event_id"}
STAGED = {
    "raw_members": "stg_raw__members",
    "raw_orders": "stg_raw__orders",
    "raw_interactions": "stg_raw__interactions",
}


def _plant_more(raw: Path, manifest: list[dict]) -> None:
    """Rows the generator cannot write: a null member id, and an order of a quarantined member."""
    path = raw / "raw_orders.parquet"
    orders = pq.read_table(path)
    template = {k: v[0] for k, v in orders.slice(0, 1).to_pydict().items()}
    extra = [
        dict(template, order_id="OFIX0001", member_id=None),
        dict(template, order_id="OFIX0002", member_id="MBAD0000"),  # MBAD0000 is quarantined (self-referral)
    ]
    schema = pa.schema([field.with_nullable(True) for field in orders.schema])
    table = pa.concat_tables([orders.cast(schema), pa.Table.from_pylist(extra, schema=schema)])
    pq.write_table(table, path)
    manifest += [
        {"table": "raw_orders", "key": "OFIX0001", "bad_class": "null_member_id"},
        {"table": "raw_orders", "key": "OFIX0002", "bad_class": "orphan_of_quarantined_member"},
    ]


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("bad_inputs")
    raw = work / "raw"
    generate(GeneratorConfig(members=2000, seed=11, bad_rows=True), raw)
    manifest = pq.read_table(raw / "bad_rows_manifest.parquet").to_pylist()
    _plant_more(raw, manifest)
    result = build(raw, work / "loyalty.duckdb", target_path=work / "target", progress=print)
    return {"raw": raw, "warehouse": result.warehouse, "manifest": manifest}


@pytest.fixture(scope="module")
def con(bad_build: dict) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(bad_build["warehouse"]), read_only=True)
    yield connection
    connection.close()


def test_every_generator_class_has_an_expected_outcome() -> None:
    assert set(BAD_ROW_CLASSES) <= set(EXPECTED_REASON)


@pytest.mark.parametrize("bad_class", sorted(EXPECTED_REASON))
def test_bad_input_class_has_its_exact_outcome(bad_class: str, bad_build: dict, con: duckdb.DuckDBPyConnection) -> None:
    rows = [row for row in bad_build["manifest"] if row["bad_class"] == bad_class]
    assert rows, f"no {bad_class} row planted"
    reason = EXPECTED_REASON[bad_class]
    for row in rows:
        table, key = row["table"], row["key"]
        quarantined = con.execute(
            "select quarantine_reason, quarantine_message, raw_row from quarantine.qrn_quarantined_rows "
            "where table_name = ? and record_key = ?",
            [table, key],
        ).fetchall()
        staged = con.execute(f"select count(*) from staging.{STAGED[table]} where {KEY[table]} = ?", [key]).fetchone()[
            0
        ]
        if reason is None:
            assert quarantined == [], f"{bad_class} {key} should be kept, got {quarantined}"
            assert staged == 1, f"{bad_class} {key} should be staged once, found {staged}"
        else:
            assert quarantined, f"{bad_class} {key} is not quarantined"
            assert {r[0] for r in quarantined} == {reason}, f"{bad_class} {key}: {quarantined}"
            assert all(r[1] and r[2] for r in quarantined), "every quarantined row carries a message and the raw row"
            assert staged == 0, f"{bad_class} {key} is quarantined but also staged"


def test_conflicting_versions_are_all_held_back(bad_build: dict, con: duckdb.DuckDBPyConnection) -> None:
    raw_orders = (bad_build["raw"] / "raw_orders.parquet").as_posix()
    for row in bad_build["manifest"]:
        if row["bad_class"] != "duplicate_id_different_content":
            continue
        versions = duckdb.sql(
            f"select count(*) from (select distinct * from '{raw_orders}' where order_id = '{row['key']}')"
        ).fetchone()[0]
        held = con.execute(
            "select count(*) from quarantine.qrn_quarantined_rows where table_name = 'raw_orders' and record_key = ?",
            [row["key"]],
        ).fetchone()[0]
        assert versions >= 2 and held == versions


def test_messages_name_the_column_and_value(con: duckdb.DuckDBPyConnection) -> None:
    messages = dict(
        con.execute(
            "select quarantine_reason, min(quarantine_message) from quarantine.qrn_quarantined_rows group by 1"
        ).fetchall()
    )
    assert messages["unknown_enum"] == "event_type 'teleport' is not in ref_event_types"
    assert messages["future_timestamp"].startswith("occurred_at 2099-01-01")
    assert messages["orphan_member_id"].startswith("member_id M")
    assert (
        "quarantined in raw_members (self_referral)"
        in con.execute(
            "select quarantine_message from quarantine.qrn_quarantined_rows where record_key = 'OFIX0002'"
        ).fetchone()[0]
    )


def test_mixed_width_text_is_cleaned(bad_build: dict, con: duckdb.DuckDBPyConnection) -> None:
    keys = [row["key"] for row in bad_build["manifest"] if row["bad_class"] == "mixed_width_text"]
    cities = {
        r[0]
        for r in con.execute(
            f"select city from staging.stg_raw__members where member_id in ({', '.join('?' * len(keys))})", keys
        ).fetchall()
    }
    assert cities == {"上海"}


@pytest.mark.parametrize("table", [t.name for t in RAW_TABLES])
def test_no_raw_row_is_lost(table: str, bad_build: dict, con: duckdb.DuckDBPyConnection) -> None:
    """raw rows = staged rows + quarantined rows + exact replays, counted straight from the raw file."""
    path = (bad_build["raw"] / f"{table}.parquet").as_posix()
    columns = ", ".join(c.name for c in next(t for t in RAW_TABLES if t.name == table).columns)
    raw_rows = duckdb.sql(f"select count(*) from '{path}'").fetchone()[0]
    distinct_rows = duckdb.sql(f"select count(*) from (select distinct {columns} from '{path}')").fetchone()[0]
    staged = con.execute(f"select count(*) from staging.stg_{table.replace('raw_', 'raw__', 1)}").fetchone()[0]
    quarantined = con.execute(
        "select count(*) from quarantine.qrn_quarantined_rows where table_name = ?", [table]
    ).fetchone()[0]
    assert raw_rows == staged + quarantined + (raw_rows - distinct_rows)
    if table in ("raw_members", "raw_orders", "raw_interactions"):
        assert quarantined > 0


def test_test_results_are_stored_for_analysts(con: duckdb.DuckDBPyConnection) -> None:
    """Every data test keeps its failing rows as a view (store_failures); here they are all empty."""
    views = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'dbt_test__audit'"
        ).fetchall()
    ]
    accounting = [v for v in views if v.startswith("raw_rows_accounted_for_stg_raw__orders")]
    assert len(accounting) == 1 and len(views) > 100
    assert con.execute(f'select count(*) from dbt_test__audit."{accounting[0]}"').fetchone()[0] == 0
