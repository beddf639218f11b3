"""Headline figures of a built warehouse, read through a short-lived read-only connection."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Schemas that hold the public tables BI tools read (see README, "What you get").
PUBLIC_SCHEMAS = ("member_facts", "customer_value", "lifecycle", "membership", "koc", "retention")
# Public tables built on DuckDB only: they read dbt Python models (decision DX-clv), so the
# PostgreSQL and Spark lanes compare every public table but these.
DUCKDB_ONLY_TABLES = frozenset({"customer_value.fct_member_predicted_value", "customer_value.rpt_clv_model_parameters"})


def headline(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
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
            f"where table_schema in {PUBLIC_SCHEMAS} order by table_schema, table_name"
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
        "net_amount_cny": float(net_amount or 0),
        "repeat_customer_share": float(repeat_share or 0),
        "tables": tables,
    }


def format_headline(figures: dict, warehouse: Path) -> str:
    lines = [
        f"warehouse: {warehouse}",
        f"as of {figures['as_of_date']}: {figures['members']:,} members, {figures['buyers']:,} buyers, "
        f"{figures['purchases']:,} purchases, net GMV {figures['net_amount_cny']:,.2f} CNY, "
        f"repeat customers {figures['repeat_customer_share']:.1%} of buyers",
        "public tables:",
    ]
    lines += [f"  {name:40} {rows:>12,} rows" for name, rows in figures["tables"].items()]
    lines.append('query it: .venv/bin/loyalty query "select * from customer_value.rpt_rfm_segments"')
    return "\n".join(lines)


def run_query(warehouse: Path, sql: str, limit: int = 50) -> str:
    """Run ``sql`` on a read-only connection and return it as an aligned text table."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(limit)
    finally:
        con.close()
    cells = [names] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(names))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
