"""What each dashboard view reads from the public marts (plain SQL on a read-only connection).

Only public schemas are read (member_facts, customer_value, lifecycle, koc, retention), by their
documented columns, so the lead can refactor internal models freely. Values are returned as DuckDB
gives them (Decimal, int, date): the charts carry them unrounded so a test can compare them with the
marts exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

# The churn-risk score runs 0-100; the histogram shows bins of this many points (the last bin
# includes 100). A presentation choice, not a business rule, so it lives here and not in dbt vars.
CHURN_BIN_WIDTH = 10
CHURN_SCORE_MAX = 100
LEADERBOARD_SIZE = 20

# Every table the dashboard reads: the views below and the header's as_of_date (published.AS_OF_SQL).
# The membership_dashboard exposure (models/_exposures.yml) depends on exactly these, and
# tests/python/test_exposures.py checks both against the SQL in this file.
TABLES_READ = frozenset(
    {
        "retention.rpt_cohort_retention",
        "customer_value.rpt_rfm_segments",
        "customer_value.rpt_loyalty_pyramid",
        "koc.rpt_koc_leaderboard",
        "retention.rpt_private_domain_kpis",
        "lifecycle.fct_churn_risk",
        "member_facts.fct_members",
    }
)


class ViewDataError(Exception):
    """A view's table is missing or unreadable; the message names the table and what to do."""


def _rows(con: duckdb.DuckDBPyConnection, table: str, sql: str, params: list | None = None) -> list[dict]:
    try:
        cursor = con.execute(sql, params or [])
    except duckdb.CatalogException as exc:
        raise ViewDataError(
            f"{table} is not in this warehouse ({str(exc).splitlines()[0]}); rebuild it with `loyalty build`"
        ) from exc
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


# --- cohort retention -------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortOptions:
    definitions: list[str]
    bases: list[str]


def cohort_options(con: duckdb.DuckDBPyConnection) -> CohortOptions:
    rows = _rows(
        con,
        "retention.rpt_cohort_retention",
        "select distinct cohort_definition, retention_basis from retention.rpt_cohort_retention",
    )

    # Familiar order first (the README's), anything new after it alphabetically.
    def ordered(values: set[str], preferred: list[str]) -> list[str]:
        return [v for v in preferred if v in values] + sorted(values - set(preferred))

    return CohortOptions(
        definitions=ordered({r["cohort_definition"] for r in rows}, ["first_purchase", "registration"]),
        bases=ordered({r["retention_basis"] for r in rows}, ["ordering", "active", "revenue"]),
    )


def cohort_cells(con: duckdb.DuckDBPyConnection, definition: str, basis: str) -> list[dict]:
    """One dict per cohort x period of one definition and basis (the heatmap's cells)."""
    return _rows(
        con,
        "retention.rpt_cohort_retention",
        """
        select cohort_start_date, cohort_grain, period_number, cohort_size, retained_members,
               retained_members_to_date, retention_rate, is_complete_period, period_start_date
        from retention.rpt_cohort_retention
        where cohort_definition = ? and retention_basis = ?
        order by cohort_start_date, period_number
        """,
        [definition, basis],
    )


# --- customer value ---------------------------------------------------------------------------


def rfm_segments(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return _rows(
        con,
        "customer_value.rpt_rfm_segments",
        """
        select rfm_segment, segment_label_zh, recommended_action, members, member_share,
               net_amount, net_amount_share
        from customer_value.rpt_rfm_segments
        order by net_amount desc, rfm_segment
        """,
    )


def loyalty_pyramid(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The KOX tiers, top of the pyramid (advocate) first."""
    return _rows(
        con,
        "customer_value.rpt_loyalty_pyramid",
        """
        select kox_tier, tier_order, recommended_treatment, recommended_treatment_zh, members,
               member_share, net_amount_in_window, net_amount_share
        from customer_value.rpt_loyalty_pyramid
        order by tier_order desc
        """,
    )


# --- KOC leaderboard ----------------------------------------------------------------------------


def koc_periods(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Periods that have a leaderboard, newest first."""
    rows = _rows(
        con,
        "koc.rpt_koc_leaderboard",
        "select distinct period_start from koc.rpt_koc_leaderboard order by period_start desc",
    )
    return [r["period_start"] for r in rows]


def koc_leaderboard(con: duckdb.DuckDBPyConnection, period: dt.date, size: int = LEADERBOARD_SIZE) -> list[dict]:
    return _rows(
        con,
        "koc.rpt_koc_leaderboard",
        """
        select koc_rank, koc_member_id, koc_level, koc_status, koc_score, posts,
               interactions_received, public_exposure, koc_rank_in_level
        from koc.rpt_koc_leaderboard
        where period_start = ? and koc_rank <= ?
        order by koc_rank
        """,
        [period, size],
    )


def koc_ranked_count(con: duckdb.DuckDBPyConnection, period: dt.date) -> int:
    rows = _rows(
        con,
        "koc.rpt_koc_leaderboard",
        "select count(*) as ranked from koc.rpt_koc_leaderboard where period_start = ?",
        [period],
    )
    return int(rows[0]["ranked"])


# --- KPI board ------------------------------------------------------------------------------------


def kpi_months(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Months of the KPI board, newest first, with whether each has ended by as_of_date."""
    return _rows(
        con,
        "retention.rpt_private_domain_kpis",
        """
        select month_start_date, bool_and(is_complete_month) as is_complete_month
        from retention.rpt_private_domain_kpis
        group by month_start_date
        order by month_start_date desc
        """,
    )


def kpi_board(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[dict]:
    return _rows(
        con,
        "retention.rpt_private_domain_kpis",
        """
        select kpi, kpi_order, kpi_value, benchmark_low, benchmark_high, benchmark_status,
               benchmark_source_file, benchmark_figure_id, is_complete_month
        from retention.rpt_private_domain_kpis
        where month_start_date = ?
        order by kpi_order
        """,
        [month],
    )


# --- churn risk -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnSummary:
    bins: list[dict]  # bin_low, bin_high, members
    scored_members: int
    mean_score: Decimal | float | None
    potential_churners: int
    past_grace: int


def churn_risk(con: duckdb.DuckDBPyConnection) -> ChurnSummary:
    """Histogram of churn_risk_score in CHURN_BIN_WIDTH-point bins; every bin is present (0 when empty)."""
    last_bin = CHURN_SCORE_MAX // CHURN_BIN_WIDTH - 1
    counted = _rows(
        con,
        "lifecycle.fct_churn_risk",
        """
        select least(floor(churn_risk_score / ?), ?)::integer as bin_index, count(*) as members
        from lifecycle.fct_churn_risk
        where churn_risk_score is not null
        group by 1
        """,
        [CHURN_BIN_WIDTH, last_bin],
    )
    by_index = {r["bin_index"]: int(r["members"]) for r in counted}
    bins = [
        {"bin_low": i * CHURN_BIN_WIDTH, "bin_high": (i + 1) * CHURN_BIN_WIDTH, "members": by_index.get(i, 0)}
        for i in range(last_bin + 1)
    ]
    totals = _rows(
        con,
        "lifecycle.fct_churn_risk",
        """
        select count(churn_risk_score) as scored, avg(churn_risk_score) as mean_score,
               count(*) filter (where is_potential_churner) as potential,
               count(*) filter (where is_past_grace) as past_grace
        from lifecycle.fct_churn_risk
        """,
    )[0]
    return ChurnSummary(
        bins=bins,
        scored_members=int(totals["scored"]),
        mean_score=totals["mean_score"],
        potential_churners=int(totals["potential"]),
        past_grace=int(totals["past_grace"]),
    )
