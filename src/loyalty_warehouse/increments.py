"""Split a raw folder into what had arrived before its last day, for incremental builds
(the incremental-equals-full-refresh test and the benchmark's one-more-day phase)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .db import connect, quote_path

# Time and key column of each raw table that grows by the day; the other raw tables are complete in both.
EVENT_TIME = {"raw_orders": ("ordered_at", "order_id"), "raw_interactions": ("occurred_at", "event_id")}
LATE_DAYS = 2  # rows of the days before the last one that arrive late, with the last day
LATE_SHARE = 5  # one in LATE_SHARE of those rows


def split_last_day(raw: Path, out: Path) -> dict[str, int]:
    """Copy ``raw`` to ``out`` without the last day's rows and without a sample of the days before
    (they arrive late); return the rows held back per table."""
    out.mkdir(parents=True)
    con = connect()
    try:
        last_day = con.execute(
            f"select max(cast(ordered_at as date)) from {quote_path(raw / 'raw_orders.parquet')}"
        ).fetchone()[0]
        held_back = {}
        for path in sorted(raw.glob("raw_*.parquet")):
            if path.stem not in EVENT_TIME:
                shutil.copy(path, out / path.name)
                continue
            time_column, key = EVENT_TIME[path.stem]
            arrived = (
                f"cast({time_column} as date) < date '{last_day}' - interval {LATE_DAYS} day "
                f"or (cast({time_column} as date) < date '{last_day}' and hash({key}) % {LATE_SHARE} <> 0)"
            )
            con.execute(
                f"copy (select * from {quote_path(path)} where {arrived}) to {quote_path(out / path.name)} "
                "(format parquet)"
            )
            held_back[path.stem] = con.execute(
                f"select count(*) from {quote_path(path)} where not ({arrived})"
            ).fetchone()[0]
    finally:
        con.close()
    return held_back
