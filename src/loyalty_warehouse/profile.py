"""What a raw folder will do to the build, said before waiting for it - and after it, why rows were held back.

- `time_bounds`: rows whose timestamps fall before `dq_earliest_valid_date` or after the load time. When
  more than the gates' share of a table would be held back for it, the build stops before dbt and names
  the var to change (a brand whose history starts before the default bound is the usual case).
- `quarantine_summary`: held-back rows per table and reason in a built (or failed) warehouse, each with
  the var or file to look at.
- `data_profile`: the `loyalty check` report - period covered, row counts, members without orders,
  missing optional tables, and the share of rows each quarantine rule holds back (computed by the
  quarantine models themselves, so it is exactly what the build will do).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .contract import RAW_TABLES
from .db import connect, quote_path
from .gates import MAX_BAD_SHARE
from .preflight import PreflightResult, RawDataError, check_raw_dir


def reason_advice() -> dict[str, str]:
    """What to do about each quarantine reason (the ref_quarantine_reasons seed)."""
    with (paths.PROJECT_DIR / "seeds" / "ref_quarantine_reasons.csv").open(newline="", encoding="utf-8") as fh:
        return {row["quarantine_reason"]: row["what_to_do"] for row in csv.DictReader(fh)}


@dataclass
class BoundCount:
    table: str
    column: str
    rows: int
    before: int
    after: int


def _cutoffs(settings: dict) -> tuple[dt.datetime, dt.datetime]:
    earliest = dt.datetime.fromisoformat(str(settings["dq_earliest_valid_date"]))
    load = settings.get("dq_load_time")
    load_time = dt.datetime.fromisoformat(str(load)) if load else dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return earliest, load_time + dt.timedelta(days=settings["dq_future_tolerance_days"])


def time_bounds(pre: PreflightResult, settings: dict) -> list[BoundCount]:
    """Rows per timestamp column before the earliest valid date or after the load time."""
    earliest, latest = _cutoffs(settings)
    counts = []
    con = connect()
    try:
        for table in RAW_TABLES:
            if not pre.row_counts.get(table.name):
                continue
            source = _relation(pre.locations[table.name])
            for column in (c.name for c in table.columns if c.sql_type == "timestamp"):
                before, after = con.execute(
                    f"""select count(*) filter (where cast("{column}" as timestamp) < ?),
                               count(*) filter (where cast("{column}" as timestamp) > ?)
                        from {source}""",
                    [earliest, latest],
                ).fetchone()
                counts.append(BoundCount(table.name, column, pre.row_counts[table.name], before, after))
    finally:
        con.close()
    return counts


def _relation(location: str) -> str:
    if location.endswith(".csv"):
        return f"read_csv({quote_path(location)}, header = true, delim = ',')"
    return f"read_parquet({quote_path(location)})"


def check_time_bounds(pre: PreflightResult, settings: dict) -> None:
    """Stop before dbt when more than MAX_BAD_SHARE of a table would be held back for its timestamps."""
    for count in time_bounds(pre, settings):
        if count.before > MAX_BAD_SHARE * count.rows:
            raise RawDataError(
                f"{count.table}: {count.before:,} of {count.rows:,} rows have {count.column} before "
                f"dq_earliest_valid_date ({settings['dq_earliest_valid_date']}) and would all be held back; "
                "if the brand's records begin earlier, set it, e.g. "
                f"""--vars '{{"dq_earliest_valid_date": "{_suggested_start(pre, count)}"}}'"""
            )
        if count.after > MAX_BAD_SHARE * count.rows:
            raise RawDataError(
                f"{count.table}: {count.after:,} of {count.rows:,} rows have {count.column} after the load time "
                "and would all be held back; the export's timestamps are probably in a local time zone - "
                "write them in UTC (or set dq_load_time when replaying an old export)"
            )


def order_period(pre: PreflightResult) -> tuple[dt.date | None, dt.date | None]:
    """The first and last order day in raw_orders (UTC)."""
    con = connect()
    try:
        return con.execute(
            "select min(cast(ordered_at as date)), max(cast(ordered_at as date)) "
            f"from {_relation(pre.locations['raw_orders'])}"
        ).fetchone()
    finally:
        con.close()


def check_as_of_date(pre: PreflightResult, settings: dict) -> None:
    """Stop before dbt when as_of_date is not a date, or falls before the first order or after the load
    time: every snapshot would be empty (or in the future) and dbt would fail on tests that do not say why."""
    value = settings.get("as_of_date")
    if value is None:
        return
    try:
        as_of = dt.date.fromisoformat(str(value))
    except ValueError:
        raise RawDataError(f"as_of_date {value!r} is not a date; write it as YYYY-MM-DD") from None
    first, last = order_period(pre)
    load_day = _cutoffs(settings)[1].date()
    if first is None or first <= as_of <= load_day:
        return
    raise RawDataError(
        f"as_of_date {as_of} is outside the data's period: raw_orders run from {first} to {last} "
        f"(loaded up to {load_day}); set as_of_date between {first} and {load_day}, "
        f"or leave it unset to use the last order day ({last})"
    )


def _suggested_start(pre: PreflightResult, count: BoundCount) -> str:
    con = connect()
    try:
        first = con.execute(
            f'select min(cast("{count.column}" as timestamp)) from {_relation(pre.locations[count.table])}'
        ).fetchone()[0]
    finally:
        con.close()
    return f"{first.year}-01-01" if first else "1990-01-01"


@dataclass
class HeldBack:
    table: str
    reason: str
    rows: int
    table_rows: int
    example: str

    @property
    def share(self) -> float:
        return self.rows / self.table_rows if self.table_rows else 0.0

    def describe(self) -> str:
        advice = reason_advice().get(self.reason, "")
        return (
            f"{self.table}: {self.rows:,} of {self.table_rows:,} rows held back ({self.share:.1%}) for {self.reason}"
            + (f" - {advice}" if advice else "")
            + (f"; e.g. {self.example}" if self.example else "")
        )


def quarantine_summary(warehouse: Path) -> list[HeldBack]:
    """Held-back rows of a built (or failed) warehouse, by table and reason, largest share first."""
    if not warehouse.exists():
        return []
    con = connect(warehouse, read_only=True)
    try:
        names = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'quarantine'"
            ).fetchall()
        }
        if "qrn_quarantined_rows" not in names:
            return []
        totals = {}
        for table in RAW_TABLES:
            model = "qrn_" + table.name.replace("raw_", "raw__", 1)
            if model in names:
                totals[table.name] = con.execute(f"select count(*) from quarantine.{model}").fetchone()[0]
        rows = con.execute(
            """select table_name, quarantine_reason, count(*), min(quarantine_message)
               from quarantine.qrn_quarantined_rows group by 1, 2"""
        ).fetchall()
    finally:
        con.close()
    held = [HeldBack(t, r, n, max(totals.get(t, n), n), example or "") for t, r, n, example in rows]
    return sorted(held, key=lambda h: (-h.share, h.table, h.reason))


@dataclass
class DataProfile:
    row_counts: dict[str, int]
    periods: dict[str, tuple[object, object]]
    members_without_orders: int
    notes: list[str]
    held_back: list[HeldBack] = field(default_factory=list)

    def render(self) -> str:
        lines = ["rows and period covered:"]
        for table, rows in self.row_counts.items():
            first, last = self.periods.get(table, (None, None))
            span = f"{first:%Y-%m-%d} .. {last:%Y-%m-%d}" if first else "-"
            lines.append(f"  {table:26} {rows:>12,} rows   {span}")
        lines.append(f"members without orders: {self.members_without_orders:,}")
        lines += [f"note: {note}" for note in self.notes]
        if self.held_back:
            lines.append("the quarantine will hold back:")
            lines += [f"  {h.describe()}" for h in self.held_back]
        else:
            lines.append("the quarantine will hold back no rows")
        return "\n".join(lines)


PERIOD_COLUMN = {
    "raw_members": "registered_at",
    "raw_orders": "ordered_at",
    "raw_interactions": "occurred_at",
    "raw_ugc_post_metrics": "observed_at",
    "raw_campaigns": "starts_at",
    "raw_koc_participations": "joined_at",
}


def describe_raw(pre: PreflightResult) -> tuple[dict, int]:
    """Period covered per table and the members without any order."""
    periods = {}
    con = connect()
    try:
        for table, column in PERIOD_COLUMN.items():
            if pre.row_counts.get(table):
                periods[table] = con.execute(
                    f'select min(cast("{column}" as timestamp)), max(cast("{column}" as timestamp)) '
                    f"from {_relation(pre.locations[table])}"
                ).fetchone()
        without_orders = con.execute(
            f"""select count(*) from (select distinct trim(cast(member_id as varchar)) as member_id
                                      from {_relation(pre.locations["raw_members"])}) as members
                where member_id not in (select trim(cast(member_id as varchar))
                                        from {_relation(pre.locations["raw_orders"])} where member_id is not null)"""
        ).fetchone()[0]
    finally:
        con.close()
    return periods, without_orders


def data_profile(raw_dir: Path, dbt_vars: dict | None = None, progress=None) -> DataProfile:
    """The `loyalty check` report: the file checks, then the quarantine models run on the files in a
    scratch DuckDB (the same rules the build applies), summarised."""
    import tempfile

    from . import project_vars
    from .runner import run_dbt

    say = progress or (lambda _line: None)
    settings = project_vars.effective(dbt_vars)
    with tempfile.TemporaryDirectory(prefix="loyalty-check-") as scratch:
        work = Path(scratch)
        say(f"[1/3] checking the files in {raw_dir}")
        pre = check_raw_dir(raw_dir, work / "placeholders")
        notes = pre.notes()
        for count in time_bounds(pre, settings):
            if count.before:
                notes.append(
                    f"{count.table}.{count.column}: {count.before:,} rows before dq_earliest_valid_date "
                    f"({settings['dq_earliest_valid_date']})"
                )
            if count.after:
                notes.append(f"{count.table}.{count.column}: {count.after:,} rows after the load time")
        periods, without_orders = describe_raw(pre)
        say("[2/3] running the quarantine models on them (dbt)")
        run_dbt(
            [
                "build",
                "--select",
                "+path:models/quarantine",
                "--exclude",
                "resource_type:test",
                "resource_type:unit_test",
            ],
            work / "check.duckdb",
            {**pre.dbt_vars(), **(dbt_vars or {})},
            target_path=work / "target",
        )
        say("[3/3] summarising")
        held = quarantine_summary(work / "check.duckdb")
    return DataProfile(pre.row_counts, periods, without_orders, notes, held)
