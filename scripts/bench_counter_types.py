"""How much the stored type of the daily activity counters costs its readers (D87).

Builds the member-day event counters from a generated brand's raw interactions twice in one DuckDB
connection - as `sum(case when ... then 1 else 0 end)` (what DuckDB stores as HUGEINT) and as
`count(case when ... then 1 end)` (BIGINT, what int_member_daily_activity stores now) - checks the
two tables hold the same numbers, then times what the readers do with them (a per-member sum over a
trailing window, as fct_members and the month-end state do). Best of 3, same process, so the ratio
holds on a busy machine.

    .venv/bin/python scripts/bench_counter_types.py --members 50000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from loyalty_warehouse.db import connect, quote_path
from loyalty_warehouse.generator import GeneratorConfig, generate

EVENTS = [
    "login",
    "content_view",
    "like",
    "comment",
    "favorite",
    "share",
    "ugc_post",
    "activity_join",
    "check_in",
    "referral_invite",
    "complaint",
    "survey_completed",
    "nps_response",
    "message_received",
]


def counters(style: str) -> str:
    if style == "sum":
        return ",\n".join(f"sum(case when event_type = '{e}' then 1 else 0 end) as {e}s" for e in EVENTS)
    return ",\n".join(f"count(case when event_type = '{e}' then 1 end) as {e}s" for e in EVENTS)


def best_of(con, sql: str, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "raw"
        generate(GeneratorConfig(members=args.members, seed=42), raw)
        con = connect(str(Path(scratch) / "bench.duckdb"))
        source = f"read_parquet({quote_path(raw / 'raw_interactions.parquet')})"
        rows = con.execute(f"select count(*) from {source}").fetchone()[0]
        built = {}
        for style in ("sum", "count"):
            started = time.perf_counter()
            con.execute(
                f"create table daily_{style} as select member_id, cast(occurred_at as date) as activity_date, "
                f"{counters(style)} from {source} group by all"
            )
            built[style] = time.perf_counter() - started
        types = dict(
            con.execute(
                "select table_name, any_value(data_type) from information_schema.columns "
                "where column_name = 'likes' group by table_name"
            ).fetchall()
        )
        same = (
            con.execute("select count(*) from (select * from daily_sum except select * from daily_count)").fetchone()[0]
            == 0
        )
        reader = (
            "select member_id, {cols} from daily_{style} "
            "where activity_date >= (select max(activity_date) - 364 from daily_{style}) group by member_id"
        )
        sums = ", ".join(f"sum({e}s)" for e in EVENTS)
        read = {style: best_of(con, reader.format(cols=sums, style=style)) for style in ("sum", "count")}
        scan = {style: best_of(con, f"select {sums} from daily_{style}") for style in ("sum", "count")}
        day_rows = con.execute("select count(*) from daily_count").fetchone()[0]
    load = os.getloadavg()[0]
    print(f"{args.members:,} members, {rows:,} interactions -> {day_rows:,} member-days; load {load:.1f}")
    print(
        f"stored type: sum(case ...) -> {types['daily_sum']}, count(case ...) -> {types['daily_count']}; "
        f"same numbers: {same}"
    )
    print(f"build the daily table: {built['sum']:.2f} s vs {built['count']:.2f} s")
    print(
        f"reader (per-member sums over a year, best of 3): {read['sum']:.3f} s vs {read['count']:.3f} s "
        f"= {read['sum'] / read['count']:.1f}x"
    )
    print(
        f"full scan of the counters (best of 3): {scan['sum']:.3f} s vs {scan['count']:.3f} s "
        f"= {scan['sum'] / scan['count']:.1f}x"
    )


if __name__ == "__main__":
    main()
