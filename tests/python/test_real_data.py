"""A real brand's export with every defect issue 18 found at once, built the way a user builds it.

The test suite's generated raw data is copied into a folder whose name has a quote and a space,
and these defects are planted into the files (all at once, each on its own rows):

- every timestamp of members, orders and interactions stored time-zone aware (+08:00) in Parquet,
  and the build run with TZ=Asia/Shanghai: the instants must land in UTC unchanged;
- the text column `city` stored as Parquet bytes: decoded, staged as text;
- a stray order dated 400 days after all others: `isolated_timestamp`, as_of_date unmoved;
- a member registered after their first order: every purchase counts;
- a conflicting duplicate of the order that funded a redemption: both versions held back, the
  redemption floored (balance >= 0) with the shortfall in `unfunded_points`;
- a referrer held back for a conflicting duplicate and one for gender 'F': the members they referred
  stay, their referrer cleaned (`referrer_held_back`);
- an NPS of 11 and a service rating of 7: `out_of_range`; -1,000,000 points on a redemption
  (`absurd_amount`) and on an earn event (`negative_amount`);
- birth years 1850 and 2090 and a follower count of -10: cleaned with a note;
- a 12-member referral loop: every member of it `referral_loop`;
- 'PAID' for about 5 % of the paid orders: accepted as `paid`.

One `loyalty build` (a subprocess, as a user runs it) serves every assertion. Expectations are
computed from the planted rows and the raw files, never read from the output.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import cdnow
from loyalty_warehouse.contract import RAW_TABLES, TABLES_BY_NAME

pytestmark = pytest.mark.e2e

LOOP_MEMBERS = 12
UPPER_CASE_SHARE = 0.05
STRAY_DAYS_AFTER = 400
LOCAL_ZONE = "+08:00"
PURCHASE_STATUSES = ("paid", "partially_refunded")
STAGED = {t.name: "stg_" + t.name.replace("raw_", "raw__", 1) for t in RAW_TABLES}
TIMESTAMP_TABLES = ("raw_members", "raw_orders", "raw_interactions")


@dataclass
class Plan:
    """What was planted, in the raw data's own terms (member, order and event ids)."""

    loop: list[str] = field(default_factory=list)
    duplicated_referrer: str = ""
    gender_typo_referrer: str = ""
    redeemer: str = ""
    funding_order: str = ""
    redemption_event: str = ""
    redemption_points: int = 0
    late_registrant: str = ""
    stray_order: str = ""
    out_of_range_events: list[str] = field(default_factory=list)
    absurd_points_event: str = ""
    negative_points_event: str = ""
    birth_years: dict[str, int] = field(default_factory=dict)
    negative_followers: str = ""
    upper_case_orders: list[str] = field(default_factory=list)


def _read(raw: Path, table: str) -> pd.DataFrame:
    return pq.read_table(raw / f"{table}.parquet").to_pandas()


def _write(raw: Path, table: str, frame: pd.DataFrame, binary_text: tuple[str, ...] = ()) -> None:
    """Write with the contract's schema, timestamps time-zone aware (+08:00), some text as bytes."""
    schema = TABLES_BY_NAME[table].schema
    arrow = pa.Table.from_pandas(frame.reset_index(drop=True), schema=schema, preserve_index=False)
    for position, column in enumerate(arrow.schema):
        values = arrow.column(position)
        if pa.types.is_timestamp(column.type) and table in TIMESTAMP_TABLES:
            values = values.cast(pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us", tz=LOCAL_ZONE))
        elif column.name in binary_text:
            values = values.cast(pa.binary())
        else:
            continue
        arrow = arrow.set_column(position, pa.field(column.name, values.type), values)
    pq.write_table(arrow, raw / f"{table}.parquet")


def _plant(raw: Path) -> Plan:
    members, orders, events = (_read(raw, t) for t in ("raw_members", "raw_orders", "raw_interactions"))
    participations = _read(raw, "raw_koc_participations")
    plan = Plan()
    orders_per_member = orders.groupby("member_id").size()
    events_per_member = events.groupby("member_id").size()
    joins_per_member = participations.groupby("member_id").size()
    children = members.groupby("referrer_member_id").size()
    activity = (
        pd.DataFrame(index=members["member_id"])
        .assign(orders=orders_per_member, events=events_per_member, joins=joins_per_member, children=children)
        .fillna(0)
        .astype(int)
    )
    activity["rows"] = activity["orders"] + activity["events"] + activity["joins"]
    taken: set[str] = set()

    def pick(candidates: pd.DataFrame, count: int = 1) -> list[str]:
        chosen = [m for m in candidates.sort_values(["rows"], kind="stable").index if m not in taken][:count]
        assert len(chosen) == count, "not enough members to plant on"
        taken.update(chosen)
        return chosen

    # referral loop of members who bought nothing and referred nobody (their events become orphans)
    plan.loop = pick(
        activity[(activity["orders"] == 0) & (activity["joins"] == 0) & (activity["children"] == 0)], LOOP_MEMBERS
    )
    for position, member in enumerate(plan.loop):
        members.loc[members["member_id"] == member, "referrer_member_id"] = plan.loop[(position + 1) % LOOP_MEMBERS]
    # two referrers that the quarantine holds back
    referrers = activity[(activity["children"] > 0) & (activity["orders"] > 0)]
    plan.duplicated_referrer, plan.gender_typo_referrer = pick(referrers, 2)
    twin = members[members["member_id"] == plan.duplicated_referrer].assign(city="杭州")
    members = pd.concat([members, twin], ignore_index=True)
    members.loc[members["member_id"] == plan.gender_typo_referrer, "gender"] = "F"

    events, orders = _plant_unfunded_redemption(plan, events, orders, taken)

    # a member whose first order is 10 days before they registered
    buyers = orders[orders["status"].isin(PURCHASE_STATUSES)].groupby("member_id")["ordered_at"].agg(["min", "size"])
    late = next(m for m in buyers[buyers["size"] >= 2].index if m not in taken)
    taken.add(late)
    plan.late_registrant = late
    members.loc[members["member_id"] == late, "registered_at"] = buyers.loc[late, "min"] + pd.Timedelta(days=10)

    # a stray order 400 days after the last one (still before the load time)
    clean_order = orders[~orders["member_id"].isin(taken)].iloc[0]
    stray = clean_order.copy()
    stray["order_id"] = plan.stray_order = "OSTRAY0001"
    stray["ordered_at"] = orders["ordered_at"].max() + pd.Timedelta(days=STRAY_DAYS_AFTER)
    assert stray["ordered_at"] < pd.Timestamp.now() - pd.Timedelta(days=2)
    orders = pd.concat([orders, stray.to_frame().T], ignore_index=True)

    # scores off their scale and impossible point movements, on events of untouched members
    untouched = ~events["member_id"].isin(taken)
    for event_type, score in (("nps_response", 11), ("service_rating", 7)):
        row = events[untouched & (events["event_type"] == event_type)].index[0]
        events.loc[row, "score"] = score
        plan.out_of_range_events.append(events.loc[row, "event_id"])
    redemptions = events[untouched & (events["event_type"] == "points_redeem")].index
    events.loc[redemptions[0], "points"] = -1_000_000
    plan.absurd_points_event = events.loc[redemptions[0], "event_id"]
    events.loc[redemptions[1], ["event_type", "points"]] = ["points_earn", -1_000_000]
    plan.negative_points_event = events.loc[redemptions[1], "event_id"]

    # implausible descriptive values on untouched members
    spare = [m for m in members["member_id"] if m not in taken][:3]
    plan.birth_years = {spare[0]: 1850, spare[1]: 2090}
    for member, year in plan.birth_years.items():
        members.loc[members["member_id"] == member, "birth_year"] = year
    plan.negative_followers = spare[2]
    members.loc[members["member_id"] == spare[2], "follower_count"] = -10

    # 'PAID' on about 5 % of the paid orders of untouched members
    paid = orders[(orders["status"] == "paid") & ~orders["member_id"].isin(taken)]
    shouting = paid.sample(frac=UPPER_CASE_SHARE, random_state=18).index
    orders.loc[shouting, "status"] = "PAID"
    plan.upper_case_orders = list(orders.loc[shouting, "order_id"])

    _write(raw, "raw_members", members, binary_text=("city",))
    _write(raw, "raw_orders", orders)
    _write(raw, "raw_interactions", events)
    return plan


def _plant_unfunded_redemption(
    plan: Plan, events: pd.DataFrame, orders: pd.DataFrame, taken: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A redemption of exactly the points of a member's first purchase, an hour after it, then a
    conflicting duplicate of that purchase: the quarantine takes the purchase, the redemption is unfunded."""
    earning = events[events["event_type"].isin(["check_in", "share", "survey_completed", "points_redeem"])]
    first_earning = earning.groupby("member_id")["occurred_at"].min()
    purchases = orders[orders["status"].isin(PURCHASE_STATUSES)].sort_values(["ordered_at", "order_id"])
    for member, member_orders in purchases.groupby("member_id", sort=True):
        first = member_orders.iloc[0]
        redeemed_at = first["ordered_at"] + pd.Timedelta(hours=1)
        points = math.floor(round(first["paid_amount"] - first["refund_amount"], 2))
        quiet = member not in first_earning or first_earning[member] > redeemed_at
        alone = len(member_orders) == 1 or member_orders.iloc[1]["ordered_at"] > redeemed_at
        if member in taken or first["status"] != "paid" or points < 1 or not (quiet and alone):
            continue
        taken.add(member)
        plan.redeemer, plan.funding_order, plan.redemption_points = member, first["order_id"], points
        template = events[events["event_type"] == "points_redeem"].iloc[0].copy()
        template[:] = None
        plan.redemption_event = "EREDEEM0001"
        redemption = template.copy()
        redemption[["event_id", "member_id", "event_type", "points", "occurred_at"]] = [
            plan.redemption_event,
            member,
            "points_redeem",
            points,
            redeemed_at,
        ]
        conflict = first.copy()
        conflict["paid_amount"] = first["paid_amount"] + 1
        conflict["gross_amount"] = first["gross_amount"] + 1
        return (
            pd.concat([events, redemption.to_frame().T], ignore_index=True),
            pd.concat([orders, conflict.to_frame().T], ignore_index=True),
        )
    raise AssertionError("no member to plant an unfunded redemption on")


@pytest.fixture(scope="module")
def real_build(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("real_data")
    raw = work / "brand's export 2024"
    shutil.copytree(small_raw, raw)
    plan = _plant(raw)
    warehouse = work / "warehouse" / "loyalty.duckdb"
    env = dict(os.environ, TZ="Asia/Shanghai", DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    loyalty = Path(sys.executable).with_name("loyalty")
    proc = subprocess.run(
        [str(loyalty), "build", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    print(proc.stderr[-4000:])
    return {"raw": raw, "plan": plan, "warehouse": warehouse, "proc": proc}


@pytest.fixture(scope="module")
def con(real_build: dict) -> duckdb.DuckDBPyConnection:
    assert real_build["proc"].returncode == 0, real_build["proc"].stderr[-3000:]
    connection = duckdb.connect(str(real_build["warehouse"]), read_only=True)
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def _quarantined(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, set[str]]:
    rows = con.execute(
        "select record_key, quarantine_reason from quarantine.qrn_quarantined_rows where table_name = ?", [table]
    ).fetchall()
    found: dict[str, set[str]] = {}
    for key, reason in rows:
        found.setdefault(key, set()).add(reason)
    return found


def _raw_sql(raw: Path, table: str) -> str:
    return "read_parquet('" + (raw / f"{table}.parquet").as_posix().replace("'", "''") + "')"


def test_the_build_publishes_and_says_what_it_decoded(real_build: dict) -> None:
    proc = real_build["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert real_build["warehouse"].exists()
    assert "raw_members: text stored as bytes, decoded as UTF-8: city" in proc.stderr
    assert "query it:" in proc.stdout and str(real_build["warehouse"]) in proc.stdout


@pytest.mark.parametrize("table", [t.name for t in RAW_TABLES])
def test_no_raw_row_is_lost(table: str, real_build: dict, con: duckdb.DuckDBPyConnection) -> None:
    """raw rows = staged + quarantined + exact replays, counted straight from the planted file."""
    source = _raw_sql(real_build["raw"], table)
    columns = ", ".join(f'"{c.name}"' for c in TABLES_BY_NAME[table].columns)
    raw_rows = duckdb.sql(f"select count(*) from {source}").fetchone()[0]
    distinct_rows = duckdb.sql(f"select count(*) from (select distinct {columns} from {source})").fetchone()[0]
    staged = con.execute(f"select count(*) from staging.{STAGED[table]}").fetchone()[0]
    quarantined = con.execute(
        "select count(*) from quarantine.qrn_quarantined_rows where table_name = ?", [table]
    ).fetchone()[0]
    assert raw_rows == staged + quarantined + (raw_rows - distinct_rows)


def test_members_held_back_are_exactly_the_planted_ones(real_build: dict, con: duckdb.DuckDBPyConnection) -> None:
    plan = real_build["plan"]
    expected = {member: {"referral_loop"} for member in plan.loop}
    expected[plan.duplicated_referrer] = {"duplicate_id_conflict"}
    expected[plan.gender_typo_referrer] = {"unknown_enum"}
    assert _quarantined(con, "raw_members") == expected
    versions = con.execute(
        "select count(*) from quarantine.qrn_quarantined_rows where table_name = 'raw_members' and record_key = ?",
        [plan.duplicated_referrer],
    ).fetchone()[0]
    assert versions == 2


def _held_back_members(plan: Plan) -> set[str]:
    return {*plan.loop, plan.duplicated_referrer, plan.gender_typo_referrer}


def test_orders_held_back_are_the_planted_ones_and_their_members_orders(
    real_build: dict, con: duckdb.DuckDBPyConnection
) -> None:
    plan = real_build["plan"]
    orders = _read(real_build["raw"], "raw_orders")
    of_held_back = orders[orders["member_id"].isin(_held_back_members(plan))]["order_id"]
    expected = {order: {"orphan_member_id"} for order in of_held_back}
    assert expected, "the held-back referrers should have orders"
    expected[plan.funding_order] = {"duplicate_id_conflict"}
    expected[plan.stray_order] = {"isolated_timestamp"}
    assert _quarantined(con, "raw_orders") == expected


def test_events_held_back_are_the_planted_ones_and_their_members_events(
    real_build: dict, con: duckdb.DuckDBPyConnection
) -> None:
    plan = real_build["plan"]
    events = _read(real_build["raw"], "raw_interactions")
    expected = {e: {"orphan_member_id"} for e in events[events["member_id"].isin(_held_back_members(plan))]["event_id"]}
    expected.update({event: {"out_of_range"} for event in plan.out_of_range_events})
    expected[plan.absurd_points_event] = {"absurd_amount"}
    expected[plan.negative_points_event] = {"negative_amount"}
    assert _quarantined(con, "raw_interactions") == expected
    joins = _read(real_build["raw"], "raw_koc_participations")
    orphans = set(joins[joins["member_id"].isin(_held_back_members(plan))]["participation_id"])
    assert set(_quarantined(con, "raw_koc_participations")) == orphans


def test_implausible_values_and_held_back_referrers_are_cleaned_with_a_note(
    real_build: dict, con: duckdb.DuckDBPyConnection
) -> None:
    plan = real_build["plan"]
    members = _read(real_build["raw"], "raw_members")
    held = _held_back_members(plan)
    referred = members[members["referrer_member_id"].isin(held) & ~members["member_id"].isin(held)]
    assert len(referred) >= 2
    expected = {
        (m, "referrer_member_id", r, "referrer_held_back")
        for m, r in zip(referred["member_id"], referred["referrer_member_id"], strict=True)
    }
    expected |= {(m, "birth_year", str(year), "implausible_birth_year") for m, year in plan.birth_years.items()}
    expected.add((plan.negative_followers, "follower_count", "-10", "negative_count"))
    cleaned = set(
        con.execute(
            "select record_key, column_name, raw_value, cleaning_reason from quarantine.qrn_cleaned_values "
            "where table_name = 'raw_members'"
        ).fetchall()
    )
    assert cleaned == expected
    staged = con.execute(
        "select count(*), count(referrer_member_id) from staging.stg_raw__members where member_id in "
        "(select unnest(?))",
        [list(referred["member_id"])],
    ).fetchone()
    assert staged == (len(referred), 0)
    birth_years = con.execute(
        "select count(*), count(birth_year) from staging.stg_raw__members where member_id in (select unnest(?))",
        [list(plan.birth_years)],
    ).fetchone()
    followers = con.execute(
        "select follower_count from staging.stg_raw__members where member_id = ?", [plan.negative_followers]
    ).fetchall()
    assert birth_years == (2, 0) and followers == [(None,)]


def test_a_redemption_whose_purchase_was_held_back_is_unfunded(
    real_build: dict, con: duckdb.DuckDBPyConnection
) -> None:
    plan = real_build["plan"]
    assert con.execute("select min(running_balance) from membership.fct_points_ledger").fetchone()[0] >= 0
    row = con.execute(
        "select points, unfunded_points, running_balance from membership.fct_points_ledger where event_id = ?",
        [plan.redemption_event],
    ).fetchone()
    assert row == (0, plan.redemption_points, 0)


def test_timestamps_in_another_zone_land_in_utc(
    real_build: dict, small_raw: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Under TZ=Asia/Shanghai, +08:00 values are the same instants as the generator's UTC ones."""
    plan = real_build["plan"]
    # exact replays repeat an id with the same content: one value per id
    before = _read(small_raw, "raw_orders").drop_duplicates("order_id").set_index("order_id")["ordered_at"]
    staged = con.execute("select order_id, ordered_at from staging.stg_raw__orders").df().set_index("order_id")
    assert len(staged) > 0.95 * len(before)
    assert (staged["ordered_at"] == before.reindex(staged.index)).all()
    registered = _read(small_raw, "raw_members").drop_duplicates("member_id").set_index("member_id")["registered_at"]
    staged_members = con.execute("select member_id, registered_at from staging.stg_raw__members").df()
    staged_members = staged_members[staged_members["member_id"] != plan.late_registrant].set_index("member_id")
    assert (staged_members["registered_at"] == registered.reindex(staged_members.index)).all()
    last_order_day = before.max().date()
    assert con.execute("select distinct as_of_date from member_facts.fct_members").fetchall() == [(last_order_day,)]


def test_text_stored_as_bytes_is_staged_as_text(
    real_build: dict, small_raw: Path, con: duckdb.DuckDBPyConnection
) -> None:
    cities = _read(small_raw, "raw_members").drop_duplicates("member_id").set_index("member_id")["city"]
    staged = con.execute("select member_id, city from staging.stg_raw__members").df().set_index("member_id")
    assert staged["city"].notna().sum() > 0.9 * len(staged)
    assert (staged["city"].fillna("") == cities.reindex(staged.index).fillna("")).all()


def test_a_member_who_bought_before_registering_keeps_every_purchase(
    real_build: dict, small_raw: Path, con: duckdb.DuckDBPyConnection
) -> None:
    member = real_build["plan"].late_registrant
    orders = _read(small_raw, "raw_orders")
    purchases = orders[(orders["member_id"] == member) & orders["status"].isin(PURCHASE_STATUSES)]
    got = con.execute(
        "select purchases_lifetime, first_purchase_date from member_facts.fct_members where member_id = ?", [member]
    ).fetchone()
    assert got == (len(purchases), purchases["ordered_at"].min().date())


def test_upper_case_statuses_are_accepted_as_their_value(real_build: dict, con: duckdb.DuckDBPyConnection) -> None:
    keys = real_build["plan"].upper_case_orders
    orders = _read(real_build["raw"], "raw_orders")
    assert len(keys) >= 0.04 * (orders["status"].str.lower() == "paid").sum()
    statuses = con.execute(
        "select status, count(*) from staging.stg_raw__orders where order_id in (select unnest(?)) group by 1", [keys]
    ).fetchall()
    assert statuses == [("paid", len(keys))]


def test_as_of_date_ignores_the_stray_order(real_build: dict, small_raw: Path, con: duckdb.DuckDBPyConnection) -> None:
    last_order_day = _read(small_raw, "raw_orders")["ordered_at"].max().date()
    stray_day = last_order_day + dt.timedelta(days=STRAY_DAYS_AFTER)
    assert con.execute("select max(as_of_date) from member_facts.fct_members").fetchone()[0] == last_order_day
    assert con.execute("select max(order_date) from member_facts.fct_orders").fetchone()[0] < stray_day


# --- an orders-only brand: CDNOW's public order history, members and orders as CSV, nothing else

OPTIONAL_TABLES = [t.name for t in RAW_TABLES if not t.required]


@pytest.fixture(scope="module")
def orders_only_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("orders_only")
    converted = cdnow.write_raw_files(work / "converted")
    raw = work / "cdnow export"
    raw.mkdir()
    for table in ("raw_members", "raw_orders"):
        pacsv.write_csv(pq.read_table(converted / f"{table}.parquet"), raw / f"{table}.csv")
    warehouse = work / "cdnow.duckdb"
    loyalty = Path(sys.executable).with_name("loyalty")
    command = [str(loyalty), "build", "--raw-dir", str(raw), "--warehouse", str(warehouse)]
    proc = subprocess.run(
        [*command, "--vars", '{"currency_code": "USD"}'],
        env=dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False"),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    print(proc.stderr[-3000:])
    return {"raw": raw, "warehouse": warehouse, "proc": proc}


def test_orders_only_brand_publishes_with_notes_on_what_is_empty(orders_only_build: dict) -> None:
    proc = orders_only_build["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    notes = [line.strip() for line in proc.stderr.splitlines() if line.strip().startswith("note:")]
    for table in OPTIONAL_TABLES:
        assert any(
            note.startswith(f"note: optional table {table} not found: building with an empty one; ") for note in notes
        ), f"no note for {table}: {notes}"
    interactions_note = next(note for note in notes if "raw_interactions not found" in note)
    assert "the whole KOC programme will be zero or empty" in interactions_note


def test_orders_only_brand_figures_match_the_order_history(orders_only_build: dict) -> None:
    """The headline and the member facts, against the CDNOW file read on its own."""
    assert orders_only_build["proc"].returncode == 0
    lines = cdnow.read_cdnow()
    customers = {customer for customer, _, _, _ in lines}
    last_day = max(day for _, day, _, _ in lines)
    dollars = sum(value for _, _, _, value in lines)
    purchase_days = {}
    for customer, day, _, _ in lines:
        purchase_days.setdefault(customer, set()).add(day)
    repeaters = sum(1 for days in purchase_days.values() if len(days) >= 2)
    headline_line = next(line for line in orders_only_build["proc"].stdout.splitlines() if line.startswith("as of "))
    assert headline_line == (
        f"as of {last_day}: {len(customers):,} members, {len(customers):,} buyers, {len(lines):,} purchases, "
        f"net GMV {dollars:,.2f} USD, repeat customers {repeaters / len(customers):.1%} of buyers"
    )
    con = duckdb.connect(str(orders_only_build["warehouse"]), read_only=True)
    try:
        members = con.execute(
            "select count(*), sum(purchases_lifetime), count(*) filter (where is_repeat_customer) "
            "from member_facts.fct_members"
        ).fetchone()
        spine = con.execute("select min(date_day), max(date_day) from semantic.time_spine_daily").fetchone()
        empty = [
            t
            for t in ("member_facts.fct_interactions", "koc.fct_koc_roster_monthly")
            if con.execute(f"select count(*) from {t}").fetchone()[0] != 0
        ]
    finally:
        con.close()
    assert members == (len(customers), len(lines), repeaters)
    assert spine == (min(day for _, day, _, _ in lines), last_day)
    assert empty == []
