"""Retention marts: the ordering cohort triangle recomputed from the raw files (monthly, weekly, mid-month
as_of_date) and DAU / WAU / MAU recounted by brute force."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from loyalty_warehouse.preflight import check_raw_dir
from loyalty_warehouse.runner import run_dbt

pytestmark = pytest.mark.e2e

PROJECT_VARS = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text())["vars"]


MONDAY = pd.Timestamp("1970-01-05")


def _period_index(dates: pd.Series, grain: str) -> pd.Series:
    if grain == "month":
        return dates.dt.year * 12 + dates.dt.month - 1
    return (dates - MONDAY).dt.days // 7


def _period_start(index: int, grain: str) -> pd.Timestamp:
    if grain == "month":
        return pd.Timestamp(year=index // 12, month=index % 12 + 1, day=1)
    return MONDAY + pd.Timedelta(days=7 * index)


def expected_ordering_triangle(raw_dir: Path, as_of: pd.Timestamp | None = None, grain: str = "month") -> pd.DataFrame:
    """The ordering triangle from raw_orders alone: cohort = calendar period of the first purchase,
    retained in period k = at least one purchase in calendar period cohort + k."""
    orders = pd.read_parquet(raw_dir / "raw_orders.parquet").drop_duplicates()
    orders["order_date"] = orders["ordered_at"].dt.normalize()
    if as_of is None:
        as_of = orders["order_date"].max()
    purchases = orders[
        orders["status"].isin(PROJECT_VARS["purchase_statuses"]) & (orders["order_date"] <= as_of)
    ].copy()
    purchases["period"] = _period_index(purchases["order_date"], grain)
    purchases["cohort"] = purchases.groupby("member_id")["period"].transform("min")
    purchases["period_number"] = purchases["period"] - purchases["cohort"]
    sizes = purchases.groupby("cohort")["member_id"].nunique()
    retained = purchases.groupby(["cohort", "period_number"])["member_id"].nunique()

    as_of_period = int(_period_index(pd.Series([as_of]), grain).iloc[0])
    rows = []
    for cohort, size in sizes.items():
        for period in range(min(PROJECT_VARS["cohort_max_periods"], as_of_period - cohort) + 1):
            period_end = _period_start(cohort + period + 1, grain) - pd.Timedelta(days=1)
            rows.append(
                {
                    "cohort_start_date": _period_start(cohort, grain).date(),
                    "period_number": period,
                    "cohort_size": int(size),
                    "retained": int(retained.get((cohort, period), 0)),
                    "is_complete_period": period_end <= as_of,
                }
            )
    return pd.DataFrame(rows)


def model_ordering_triangle(warehouse: Path) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            """
            select cohort_start_date, period_number, cohort_size, retained_members, retained_members_to_date,
                   retention_rate, churn_rate, is_complete_period
            from retention.rpt_cohort_retention
            where cohort_definition = 'first_purchase' and retention_basis = 'ordering'
            """
        ).df()
    finally:
        con.close()


def assert_triangles_equal(model: pd.DataFrame, expected: pd.DataFrame) -> None:
    model = model.assign(cohort_start_date=pd.to_datetime(model["cohort_start_date"]).dt.date)
    merged = expected.merge(model, on=["cohort_start_date", "period_number"], how="outer", indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, f"cells only on one side:\n{unmatched.head(20)}"
    assert (merged["cohort_size_x"] == merged["cohort_size_y"]).all()
    assert (merged["is_complete_period_x"] == merged["is_complete_period_y"]).all()
    assert (merged["retained_members_to_date"] == merged["retained"]).all()
    complete = merged[merged["is_complete_period_x"]]
    incomplete = merged[~merged["is_complete_period_x"]]
    assert (complete["retained_members"] == complete["retained"]).all()
    rate = complete["retained"] / complete["cohort_size_x"]
    assert ((complete["retention_rate"].astype(float) - rate).abs() < 1e-8).all()
    assert ((complete["churn_rate"].astype(float) - (1 - rate)).abs() < 1e-8).all()
    assert (complete.loc[complete["period_number"] == 0, "retention_rate"].astype(float) == 1.0).all()
    assert incomplete["retained_members"].isna().all() and incomplete["retention_rate"].isna().all()


def test_ordering_triangle_matches_an_independent_recomputation(built_warehouse: Path, small_raw: Path) -> None:
    expected = expected_ordering_triangle(small_raw)
    model = model_ordering_triangle(built_warehouse)
    print(f"ordering triangle: {len(expected)} cells, {expected['cohort_start_date'].nunique()} cohorts")
    assert len(expected) > 100
    assert_triangles_equal(model, expected)


def _rebuild_triangle(built: Path, raw: Path, tmp: Path, dbt_vars: dict) -> Path:
    warehouse = tmp / "copy.duckdb"
    shutil.copy(built, warehouse)
    locations = check_raw_dir(raw, tmp / "placeholders").locations
    run_dbt(
        [
            "build",
            "--indirect-selection",
            "cautious",
            "--select",
            "int_as_of_date int_retention_cohort_members int_retention_member_periods rpt_cohort_retention",
        ],
        warehouse,
        {"raw_locations": locations, **dbt_vars},
        target_path=tmp / "target",
        progress=print,
    )
    return warehouse


def test_mid_month_as_of_date_flags_the_open_period(built_warehouse: Path, small_raw: Path, tmp_path: Path) -> None:
    warehouse = _rebuild_triangle(built_warehouse, small_raw, tmp_path, {"as_of_date": "2024-06-15"})
    expected = expected_ordering_triangle(small_raw, pd.Timestamp("2024-06-15"))
    model = model_ordering_triangle(warehouse)
    assert_triangles_equal(model, expected)
    open_cells = model[~model["is_complete_period"]]
    assert len(open_cells) == expected["cohort_start_date"].nunique()
    assert (pd.to_datetime(model["cohort_start_date"]).max()) == pd.Timestamp("2024-06-01")


def test_week_grain_triangle_matches_an_independent_recomputation(
    built_warehouse: Path, small_raw: Path, tmp_path: Path
) -> None:
    warehouse = _rebuild_triangle(built_warehouse, small_raw, tmp_path, {"cohort_grain": "week"})
    expected = expected_ordering_triangle(small_raw, grain="week")
    model = model_ordering_triangle(warehouse)
    assert (pd.to_datetime(model["cohort_start_date"]).dt.day_of_week == 0).all()
    assert_triangles_equal(model, expected)


def test_stickiness_windows_count_distinct_active_members(built_warehouse: Path, small_raw: Path) -> None:
    """DAU / WAU / MAU recomputed by brute force from the raw files: active = a purchase or a member-initiated event."""
    event_types = pd.read_csv(Path(__file__).resolve().parents[2] / "seeds" / "ref_event_types.csv")
    initiated = set(event_types.loc[event_types["is_member_initiated"], "event_type"])
    orders = pd.read_parquet(small_raw / "raw_orders.parquet")
    events = pd.read_parquet(small_raw / "raw_interactions.parquet")
    as_of = orders["ordered_at"].dt.normalize().max()
    active = pd.concat(
        [
            orders.loc[orders["status"].isin(PROJECT_VARS["purchase_statuses"]), ["member_id", "ordered_at"]].rename(
                columns={"ordered_at": "at"}
            ),
            events.loc[events["event_type"].isin(initiated), ["member_id", "occurred_at"]].rename(
                columns={"occurred_at": "at"}
            ),
        ]
    )
    active["day"] = active["at"].dt.normalize()
    active = active.loc[active["day"] <= as_of, ["member_id", "day"]].drop_duplicates()

    con = duckdb.connect(str(built_warehouse), read_only=True)
    model = con.execute("select activity_date, dau, wau, mau from retention.rpt_engagement_stickiness").df()
    con.close()
    model["activity_date"] = pd.to_datetime(model["activity_date"])
    assert model["activity_date"].min() == active["day"].min() and model["activity_date"].max() == as_of
    mau_days = PROJECT_VARS["stickiness_mau_days"]
    for day in model["activity_date"].iloc[::7]:
        window = active[active["day"] <= day]
        row = model[model["activity_date"] == day].iloc[0]
        assert row["dau"] == window.loc[window["day"] == day, "member_id"].nunique(), day
        assert row["wau"] == window.loc[window["day"] > day - pd.Timedelta(days=7), "member_id"].nunique(), day
        assert row["mau"] == window.loc[window["day"] > day - pd.Timedelta(days=mau_days), "member_id"].nunique(), day
