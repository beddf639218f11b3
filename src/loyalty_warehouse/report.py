"""Headline figures of a built warehouse, and `loyalty query`, read through a short-lived read-only
connection to the current build (published.py: the pointer is resolved on every call)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .published import connect_published

# Schemas that hold the public tables BI tools read (see README, "What you get").
PUBLIC_SCHEMAS = ("member_facts", "customer_value", "lifecycle", "membership", "koc", "retention")
# Public tables built on DuckDB only: they read dbt Python models (decision D75), so the
# PostgreSQL and Spark lanes compare every public table but these.
DUCKDB_ONLY_TABLES = frozenset({"customer_value.fct_member_predicted_value", "customer_value.rpt_clv_model_parameters"})
# Columns of other public tables that read the same Python models: null on the other engines, so
# the lanes compare those tables without them.
DUCKDB_ONLY_COLUMNS = {"lifecycle.fct_churn_risk": frozenset({"probability_alive"})}


def headline(warehouse: Path) -> dict:
    con = connect_published(warehouse)
    try:
        row = con.execute(
            """
            select
                any_value(as_of_date),
                count(*),
                count(*) filter (where purchases_lifetime > 0),
                sum(purchases_lifetime),
                sum(net_amount_lifetime),
                avg(case when is_repeat_customer then 1.0 else 0.0 end)
                    filter (where purchases_lifetime > 0)
            from member_facts.fct_members
            """
        ).fetchone()
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_catalog = current_database() and table_schema in {PUBLIC_SCHEMAS} "
            "order by table_schema, table_name"
        ).fetchall()
        tables = {
            f"{schema}.{name}": con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            for schema, name in names
        }
    finally:
        con.close()
    as_of, members, buyers, purchases, net_amount, repeat_share = row
    return {
        "as_of_date": str(as_of),
        "members": members,
        "buyers": buyers,
        "purchases": int(purchases or 0),
        "net_amount": float(net_amount or 0),
        "repeat_customer_share": float(repeat_share or 0),
        "tables": tables,
    }


def format_headline(
    figures: dict, warehouse: Path | str, currency: str = "CNY", default_warehouse: Path | None = None
) -> str:
    lines = [
        f"warehouse: {warehouse}",
        f"as of {figures['as_of_date']}: {figures['members']:,} members, {figures['buyers']:,} buyers, "
        f"{figures['purchases']:,} purchases, net GMV {figures['net_amount']:,.2f} {currency}, "
        f"repeat customers {figures['repeat_customer_share']:.1%} of buyers",
        "public tables:",
    ]
    lines += [f"  {name:40} {rows:>12,} rows" for name, rows in figures["tables"].items()]
    where = "" if default_warehouse is not None and warehouse == default_warehouse else f" --warehouse {warehouse}"
    lines.append(f'query it: .venv/bin/loyalty query "select * from customer_value.rpt_rfm_segments"{where}')
    return "\n".join(lines)


FORMATS = ("table", "csv", "json")
TABLE_ROWS = 50  # rows a text table shows unless --limit says otherwise


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK and other wide characters take two."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


@dataclass
class QueryResult:
    names: list[str]
    rows: list[tuple]
    total_rows: int  # rows the query returns; more than len(rows) when the output was cut

    def render(self, fmt: str = "table") -> str:
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(self.names)
            writer.writerows(["" if v is None else v for v in row] for row in self.rows)
            return out.getvalue().rstrip("\n")
        if fmt == "json":
            records = [dict(zip(self.names, row, strict=True)) for row in self.rows]
            return json.dumps(records, ensure_ascii=False, default=str, indent=2)
        cells = [self.names] + [["" if v is None else str(v) for v in row] for row in self.rows]
        widths = [max(display_width(r[i]) for r in cells) for i in range(len(self.names))]
        lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if self.total_rows > len(self.rows):
            lines.append(f"(showing {len(self.rows):,} of {self.total_rows:,} rows; use --limit N for more)")
        return "\n".join(lines)


def run_query(warehouse: Path, sql: str, limit: int | None = TABLE_ROWS) -> QueryResult:
    """Run ``sql`` on a read-only connection; at most ``limit`` rows (None = all), and the full count."""
    con = connect_published(warehouse)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        if limit is None:
            rows = cursor.fetchall()
            return QueryResult(names, rows, len(rows))
        rows = cursor.fetchmany(limit + 1)
        if len(rows) <= limit:
            return QueryResult(names, rows, len(rows))
        total = con.execute(f"select count(*) from ({sql.rstrip().rstrip(';')}) as query_rows").fetchone()[0]
        return QueryResult(names, rows[:limit], total)
    finally:
        con.close()
