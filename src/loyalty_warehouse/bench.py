"""Benchmark harness: generate N members, build the warehouse in full, build one more day
incrementally, export the public tables to Parquet (the cost a publish adds), and compare the RFM
mart with the engine floor and with pandas.

Every figure is measured in this run on this machine and written as JSON and markdown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import duckdb
import pandas as pd
import psutil

from . import paths
from .db import connect, quote_path
from .exports import export_public_tables
from .generator import GeneratorConfig, generate
from .increments import split_last_day
from .preflight import check_raw_dir
from .rowdiff import diff_rows, normalise_rows
from .runner import run_dbt

Progress = Callable[[str], None]

RFM_MODEL = "customer_value.fct_member_rfm"
RFM_COLUMNS = [
    "member_id",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "is_recency_high",
    "is_frequency_high",
    "is_monetary_high",
    "rfm_segment",
]


class PeakRss:
    """Peak resident memory of this process and its children, sampled every 50 ms.

    With ``children_only`` the harness itself is left out: dbt runs as a child, and what the
    harness still holds from generating the data is not part of a build's cost.
    """

    def __init__(self, children_only: bool = False) -> None:
        self.peak = 0
        self.children_only = children_only
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [*([] if self.children_only else [me]), *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a child that just ended
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Phase:
    name: str
    seconds: float
    peak_rss_mb: float
    rows: int | None = None
    details: dict = field(default_factory=dict)

    @property
    def rows_per_second(self) -> int | None:
        return int(self.rows / self.seconds) if self.rows and self.seconds else None


def _node_time(run_results: Path, wall: float) -> dict:
    """Time dbt spent inside nodes (union of their execute intervals) against the wall time."""
    results = json.loads(run_results.read_text())["results"]
    intervals = []
    for result in results:
        for timing in result.get("timing", []):
            if timing["name"] == "execute" and timing.get("started_at") and timing.get("completed_at"):
                start = dt.datetime.fromisoformat(timing["started_at"].replace("Z", "+00:00"))
                end = dt.datetime.fromisoformat(timing["completed_at"].replace("Z", "+00:00"))
                intervals.append((start, end))
    intervals.sort()
    busy, current_start, current_end = 0.0, None, None
    for start, end in intervals:
        if current_end is None or start > current_end:
            if current_end is not None:
                busy += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        busy += (current_end - current_start).total_seconds()
    slowest = sorted(results, key=lambda r: r.get("execution_time", 0), reverse=True)[:5]
    return {
        "nodes": len(results),
        "seconds_in_nodes": round(busy, 2),
        "seconds_outside_nodes": round(wall - busy, 2),
        "slowest_nodes": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in slowest},
    }


def _dbt_phase(name: str, args: list[str], raw: Path, warehouse: Path, work: Path, say: Progress) -> Phase:
    locations = check_raw_dir(raw.resolve(), work / f"placeholders-{raw.name}").locations
    target = work / f"target-{name}"
    say(f"[{name}] dbt {' '.join(args)}")
    started = time.perf_counter()
    with PeakRss(children_only=True) as rss:
        run_dbt(args, warehouse, {"raw_locations": locations}, target_path=target, progress=say)
    seconds = time.perf_counter() - started
    details = _node_time(target / "run_results.json", seconds) if (target / "run_results.json").exists() else {}
    return Phase(name, round(seconds, 2), round(rss.peak / 2**20), details=details)


def _export_phase(warehouse: Path, work: Path, say: Progress) -> Phase:
    """What a publish adds to a build: the Parquet export of every public table (exports.py)."""
    folder = work / "parquet_export"
    shutil.rmtree(folder, ignore_errors=True)
    say("[parquet_export] every public table to Parquet, as a publish does")
    with PeakRss() as rss:
        result = export_public_tables(warehouse, folder, {"build_id": "bench"})
    say(
        f"  parquet export: {len(result.tables)} public tables, {sum(result.tables.values()):,} rows "
        f"in {result.seconds:.2f}s"
    )
    size = sum(p.stat().st_size for p in folder.iterdir())
    return Phase(
        "parquet_export",
        round(result.seconds, 2),
        round(rss.peak / 2**20),
        sum(result.tables.values()),
        {"tables": len(result.tables), "megabytes": round(size / 2**20, 1)},
    )


def _raw_rows(raw: Path) -> int:
    con = connect()
    try:
        return sum(
            con.execute(f"select count(*) from {quote_path(p)}").fetchone()[0] for p in raw.glob("raw_*.parquet")
        )
    finally:
        con.close()


# The RFM table written by hand as one DuckDB query: the same rules as fct_member_rfm
# (purchases up to as_of_date, F and M over the trailing window, tie-stable percent-rank
# bins, above/below-mean flags, the segment seed), with no dbt in the way.
FLOOR_SQL = """
with as_of as (
    select max(order_date) as as_of_date, max(order_date) - (interval 1 day) * ({window} - 1) as window_start
    from member_facts.fct_orders
),
buyers as (
    select
        member_id,
        count(*) filter (where order_date >= window_start) as frequency,
        coalesce(sum(net_amount) filter (where order_date >= window_start), 0) as monetary,
        date_diff('day', max(order_date), any_value(as_of_date)) as recency_days
    from member_facts.fct_orders, as_of
    where is_purchase and order_date <= as_of_date
    group by member_id
),
scored as (
    select
        member_id, recency_days, frequency, monetary,
        1 + least({bins} - 1, floor({bins} * percent_rank() over (order by recency_days desc))) as r_score,
        1 + least({bins} - 1, floor({bins} * percent_rank() over (order by frequency))) as f_score,
        1 + least({bins} - 1, floor({bins} * percent_rank() over (order by monetary))) as m_score,
        recency_days < avg(recency_days) over () as is_recency_high,
        frequency > avg(frequency) over () as is_frequency_high,
        monetary > avg(monetary) over () as is_monetary_high
    from buyers
)
select scored.*, segments.rfm_segment
from scored
left join reference.ref_rfm_segments as segments
    using (is_recency_high, is_frequency_high, is_monetary_high)
"""


def _pandas_rfm(orders: pd.DataFrame, segments: pd.DataFrame, window: int, bins: int) -> pd.DataFrame:
    as_of = orders["order_date"].max()
    window_start = as_of - pd.Timedelta(days=window - 1)
    buys = orders[orders["is_purchase"] & (orders["order_date"] <= as_of)]
    in_window = buys["order_date"] >= window_start
    # amounts in integer cents: float sums would split ties that the decimal sums keep
    buys = buys.assign(in_window=in_window.astype("int64"), window_cents=buys["net_cents"].where(in_window, 0))
    rfm = (
        buys.groupby("member_id", sort=False)
        .agg(frequency=("in_window", "sum"), monetary_cents=("window_cents", "sum"), last=("order_date", "max"))
        .reset_index()
    )
    rfm["recency_days"] = (as_of - rfm["last"]).dt.days
    n = len(rfm)

    def score(values: pd.Series, ascending: bool = True) -> pd.Series:
        rank = values.rank(method="min", ascending=ascending)
        percent = (rank - 1) / (n - 1) if n > 1 else rank * 0
        return (1 + (bins * percent).apply(lambda x: min(bins - 1, int(x)))).astype("int64")

    rfm["r_score"] = score(rfm["recency_days"], ascending=False)
    rfm["f_score"] = score(rfm["frequency"])
    rfm["m_score"] = score(rfm["monetary_cents"])
    rfm["monetary"] = rfm["monetary_cents"] / 100
    rfm["is_recency_high"] = rfm["recency_days"] < rfm["recency_days"].mean()
    rfm["is_frequency_high"] = rfm["frequency"] > rfm["frequency"].mean()
    rfm["is_monetary_high"] = rfm["monetary_cents"] > rfm["monetary_cents"].mean()
    rfm = rfm.merge(segments, on=["is_recency_high", "is_frequency_high", "is_monetary_high"], how="left")
    return rfm[RFM_COLUMNS]


def _timed(fn: Callable[[], object], repeats: int = 3) -> tuple[float, object]:
    """Best of ``repeats`` wall times (the usual way to measure a query) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def compare_rfm(warehouse: Path, compiled_model_sql: str, window: int, bins: int) -> dict:
    """Time the RFM model's SQL, the hand-written floor and pandas on the same warehouse; check all three agree."""
    con = connect(warehouse)
    try:
        select_columns = ", ".join(RFM_COLUMNS)
        model_seconds, _ = _timed(
            lambda: con.execute(f"create or replace temp table bench_model as {compiled_model_sql}")
        )
        floor_sql = FLOOR_SQL.format(window=window, bins=bins)
        floor_seconds, _ = _timed(lambda: con.execute(f"create or replace temp table bench_floor as {floor_sql}"))
        model_rows = normalise_rows(con.execute(f"select {select_columns} from bench_model").fetchall())
        floor_rows = normalise_rows(con.execute(f"select {select_columns} from bench_floor").fetchall())

        load_started = time.perf_counter()
        orders = con.execute("select member_id, order_date, is_purchase, net_amount from member_facts.fct_orders").df()
        orders["order_date"] = pd.to_datetime(orders["order_date"])
        orders["net_cents"] = (orders["net_amount"].astype("float64") * 100).round().astype("int64")
        segments = con.execute(
            "select is_recency_high, is_frequency_high, is_monetary_high, rfm_segment from reference.ref_rfm_segments"
        ).df()
        load_seconds = time.perf_counter() - load_started
        pandas_seconds, frame = _timed(lambda: _pandas_rfm(orders, segments, window, bins), repeats=1)
        pandas_rows = normalise_rows(frame.itertuples(index=False, name=None))
    finally:
        con.close()
    floor_diff = diff_rows("floor", model_rows, floor_rows)
    pandas_diff = diff_rows("pandas", model_rows, pandas_rows)
    return {
        "buyers": len(model_rows),
        "model_seconds": round(model_seconds, 3),
        "floor_seconds": round(floor_seconds, 3),
        "model_vs_floor": round(model_seconds / floor_seconds, 2),
        "pandas_seconds": round(pandas_seconds, 3),
        "pandas_load_seconds": round(load_seconds, 3),
        "pandas_vs_model": round(pandas_seconds / model_seconds, 1),
        "floor_equal_to_model": floor_diff.equal,
        "pandas_equal_to_model": pandas_diff.equal,
        "differences": [d.describe() for d in (floor_diff, pandas_diff) if not d.equal],
    }


def machine() -> dict:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt_core": metadata.version("dbt-core"),
        "dbt_duckdb": metadata.version("dbt-duckdb"),
    }


def run_bench(members: int, work: Path, out_dir: Path, seed: int = 42, progress: Progress | None = None) -> dict:
    say = progress or (lambda _line: None)
    marker = work / ".loyalty-bench"
    if work.exists() and any(work.iterdir()):
        if not marker.exists():
            raise ValueError(f"{work} is not empty and was not made by `loyalty bench`; pass an empty --work-dir")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    marker.touch()
    phases: list[Phase] = []

    raw = work / "raw"
    say(f"[generate] {members:,} members")
    started = time.perf_counter()
    with PeakRss() as rss:
        summary = generate(GeneratorConfig(members=members, seed=seed), raw, progress=say)
    raw_rows = sum(summary["rows"].values())
    phases.append(
        Phase(
            "generate",
            round(time.perf_counter() - started, 2),
            round(rss.peak / 2**20),
            raw_rows,
            {"rows_by_table": summary["rows"]},
        )
    )

    early = work / "raw_early"
    held_back = split_last_day(raw, early)
    early_rows = _raw_rows(early)
    warehouse = work / "bench.duckdb"

    phases.append(_dbt_phase("parse", ["parse", "--no-partial-parse"], early, warehouse, work, say))
    full = _dbt_phase("full_build", ["build"], early, warehouse, work, say)
    full.rows = early_rows
    phases.append(full)
    incremental = _dbt_phase("incremental_build", ["build"], raw, warehouse, work, say)
    incremental.rows = sum(held_back.values())
    incremental.details["rows_arriving"] = held_back
    phases.append(incremental)

    phases.append(_export_phase(warehouse, work, say))

    compiled = (
        work
        / "target-incremental_build"
        / "compiled"
        / "loyalty_warehouse"
        / "models"
        / "marts"
        / "customer_value"
        / "fct_member_rfm.sql"
    ).read_text()
    say("[rfm] model SQL vs hand-written DuckDB query vs pandas")
    rfm = compare_rfm(warehouse, compiled, window=365, bins=5)

    report = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "members": members,
        "seed": seed,
        "raw_rows": summary["rows"],
        "machine": machine(),
        "phases": [
            {
                "name": p.name,
                "seconds": p.seconds,
                "peak_rss_mb": p.peak_rss_mb,
                "rows": p.rows,
                "rows_per_second": p.rows_per_second,
                **p.details,
            }
            for p in phases
        ],
        "incremental_share_of_full": round(incremental.seconds / full.seconds, 3),
        "rfm": rfm,
    }
    report["targets"] = targets(report)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"bench_{members}"
    (out_dir / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / f"{stem}.md").write_text(render_markdown(report))
    say(f"report: {out_dir / (stem + '.md')}")
    return report


def render_markdown(report: dict) -> str:
    m = report["machine"]
    rows = report["raw_rows"]
    lines = [
        f"# Benchmark: {report['members']:,} members",
        "",
        f"Measured {report['measured_at']} on {m['cores']} cores, {m['memory_gb']} GB ({m['cpu']}); "
        f"DuckDB {m['duckdb']}, dbt-core {m['dbt_core']}, dbt-duckdb {m['dbt_duckdb']}.",
        "",
        f"Raw data: {rows.get('raw_orders', 0):,} orders, {rows.get('raw_interactions', 0):,} interactions, "
        f"{sum(rows.values()):,} rows in all.",
        "",
        "| phase | wall s | peak RSS MB | rows | rows/s | s in dbt nodes | s outside nodes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in report["phases"]:
        lines.append(
            f"| {p['name']} | {p['seconds']} | {p['peak_rss_mb']:,} | {_count(p['rows'])} | "
            f"{_count(p['rows_per_second'])} "
            f"| {p.get('seconds_in_nodes', '')} | {p.get('seconds_outside_nodes', '')} |"
        )
    rfm = report["rfm"]
    lines += [
        "",
        "Peak RSS is that of the dbt process tree for parse and builds (DuckDB runs inside dbt), of the "
        "harness for generation and the Parquet export (what `loyalty build` adds when it publishes: every "
        "public table written to Parquet).",
        "",
        f"Incremental build of one more day: {report['incremental_share_of_full']:.1%} of the full build's time.",
        "",
        f"RFM over {rfm['buyers']:,} buyers (best of 3, DuckDB, same warehouse): the model's SQL "
        f"{rfm['model_seconds']} s, the hand-written single query {rfm['floor_seconds']} s "
        f"(model = {rfm['model_vs_floor']}x the floor); pandas {rfm['pandas_seconds']} s "
        f"(+{rfm['pandas_load_seconds']} s to load the orders) = {rfm['pandas_vs_model']}x the model. "
        f"Same table from all three: floor {rfm['floor_equal_to_model']}, pandas {rfm['pandas_equal_to_model']}."
        + (f" Note: {rfm['note']} ({rfm['remeasured_at']})." if rfm.get("note") else ""),
        "",
        "## Against the targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *(f"| {t['target']} | {t['measured']} | {t['verdict']} |" for t in targets(report)),
        "",
        "Slowest nodes of the full build: "
        + ", ".join(
            f"{k} {v} s"
            for k, v in next(p for p in report["phases"] if p["name"] == "full_build").get("slowest_nodes", {}).items()
        ),
        "",
    ]
    return "\n".join(lines)


def _count(value: int | None) -> str:
    return f"{value:,}" if isinstance(value, int) else ""


def _verdict(ok: bool, miss: str) -> str:
    return "met" if ok else f"missed: {miss}"


def targets(report: dict) -> list[dict]:
    """The issue's targets, each with the figure measured in this run and whether it was met."""
    rows = report["raw_rows"]
    phases = {p["name"]: p for p in report["phases"]}
    full = phases["full_build"]
    share = report["incremental_share_of_full"]
    rfm = report["rfm"]
    orders, events = rows.get("raw_orders", 0), rows.get("raw_interactions", 0)
    return [
        {
            "target": "1,000,000 members, >= 20 M orders, >= 100 M interactions",
            "measured": (
                f"{report['members']:,} members, {orders / 1e6:.1f} M orders, {events / 1e6:.1f} M interactions"
            ),
            "verdict": _verdict(
                report["members"] >= 1_000_000 and orders >= 20_000_000 and events >= 100_000_000,
                "smaller data than the target",
            ),
        },
        {
            "target": "full build (models and tests) <= 300 s",
            "measured": f"{full['seconds']} s",
            "verdict": _verdict(full["seconds"] <= 300, f"{full['seconds'] / 300:.1f}x the target"),
        },
        {
            "target": "peak memory <= 6 GB",
            "measured": f"{full['peak_rss_mb']:,} MB",
            "verdict": _verdict(full["peak_rss_mb"] <= 6 * 1024, f"{full['peak_rss_mb'] / (6 * 1024):.1f}x the target"),
        },
        {
            "target": "incremental day <= 10 % of the full build",
            "measured": f"{share:.1%}",
            "verdict": _verdict(share <= 0.10, f"{share / 0.10:.1f}x the target"),
        },
        {
            "target": "RFM model <= 1.5x the engine floor",
            "measured": f"{rfm['model_vs_floor']}x",
            "verdict": _verdict(rfm["model_vs_floor"] <= 1.5, f"{rfm['model_vs_floor'] / 1.5:.1f}x the target"),
        },
        {
            "target": "RFM model >= 10x faster than pandas",
            "measured": f"{rfm['pandas_vs_model']}x",
            "verdict": _verdict(rfm["pandas_vs_model"] >= 10, f"only {rfm['pandas_vs_model']}x"),
        },
    ]


def default_out_dir() -> Path:
    return paths.PROJECT_DIR / "benchmarks"
