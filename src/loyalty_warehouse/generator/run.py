"""One generator run: the run-wide plan, then the member blocks, each planted, written and freed in turn.

With ``workers`` > 1, that many blocks are planted at once in threads (numpy and Arrow release the
GIL for the heavy work) while this thread writes the finished ones, in block order. The files do
not depend on ``workers``: each block draws from its own streams and numbers its ids after the
blocks before it, whichever thread builds it.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .. import contract
from .bad_rows import BAD_ROW_CLASSES, BadRows, bad_rows_table, plant_bad_rows
from .blocks import Block, Numbering, RunPlan, block_tables, make_plan, plant_block
from .campaigns import campaigns_table
from .config import GENERATOR_VERSION, GeneratorConfig
from .ground_truth import GROUND_TRUTH_SCHEMA
from .writer import RawFiles

Progress = Callable[[str], None]
REPLAYED_TABLES = ("raw_orders", "raw_interactions")


def default_workers() -> int:
    """Blocks planted at once: one per core, at most two (each holds a block's arrays in memory)."""
    return max(1, min(2, os.cpu_count() or 1))


class _Pipeline:
    """Blocks in order, up to ``workers`` of them in flight. Each task plants its block, waits for the
    previous block's numbering, hands on its own, then builds its tables."""

    def __init__(self, plan: RunPlan, workers: int) -> None:
        self.plan = plan
        self.workers = workers
        self.numbering: list[Future[Numbering]] = [Future() for _ in range(plan.cfg.blocks + 1)]
        self.numbering[0].set_result(Numbering())

    def _produce(self, number: int) -> Block:
        planted = plant_block(self.plan, number)
        start = self.numbering[number].result()
        self.numbering[number + 1].set_result(start.after(planted))
        return block_tables(self.plan, planted, start)

    def blocks(self) -> Iterator[Block]:
        if self.workers == 1:
            for number in range(self.plan.cfg.blocks):
                yield self._produce(number)
            return
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="generator-block") as pool:
            in_flight: deque[Future[Block]] = deque()
            upcoming = iter(range(self.plan.cfg.blocks))
            for number in upcoming:
                in_flight.append(pool.submit(self._produce, number))
                if len(in_flight) == self.workers:
                    break
            while in_flight:
                block = in_flight.popleft().result()
                next_number = next(upcoming, None)
                if next_number is not None:
                    in_flight.append(pool.submit(self._produce, next_number))
                yield block


def peak_rss_mb() -> int:
    """Peak resident memory of this process so far (the kernel's high-water mark)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / 2**20) if sys.platform == "darwin" else int(peak / 2**10)  # bytes on macOS, KiB on Linux


def _output_files(out_dir: Path) -> RawFiles:
    schemas = {table.name: table.schema for table in contract.RAW_TABLES} | {"ground_truth": GROUND_TRUTH_SCHEMA}
    keys = {table.name: table.key for table in contract.RAW_TABLES} | {"ground_truth": "member_id"}
    return RawFiles(out_dir, schemas, keys)


def generate(cfg: GeneratorConfig, out_dir: Path, progress: Progress | None = None, workers: int | None = None) -> dict:
    """Generate every raw table into ``out_dir`` and return a summary with row counts and timings."""
    say = progress or (lambda _message: None)
    workers = workers or default_workers()
    started = time.perf_counter()
    say(
        f"members: planting {cfg.members:,} members ({cfg.start_date} .. {cfg.end_date}, seed {cfg.seed}) "
        f"in {cfg.blocks:,} blocks of up to {cfg.block_members:,}, {workers} at a time"
    )
    plan = make_plan(cfg)
    replays = dict.fromkeys(REPLAYED_TABLES, 0)
    bad_rows = BadRows()
    with _output_files(out_dir) as files:
        files.write("raw_campaigns", campaigns_table(plan.campaigns))
        for block in _Pipeline(plan, workers).blocks():
            if block.number == 0 and cfg.bad_rows:
                bad_rows = plant_bad_rows(block.tables, plan.streams.run("bad_rows"))
            for name, table in block.tables.items():
                files.write(name, table)
            for name, copies in block.replays.items():
                replays[name] += copies
            say(_block_progress(cfg, block.number, files, started))
            del block
        for name, rows in bad_rows.rows.items():
            files.write(name, bad_rows_table(rows, files.tables[name].schema))
        rows = {name: files.rows(name) for name in contract.TABLES_BY_NAME}
    if bad_rows.manifest:
        say(f"bad rows: planted {len(bad_rows.manifest)} rows in {len(BAD_ROW_CLASSES)} classes")
        pq.write_table(pa.Table.from_pylist(bad_rows.manifest), out_dir / "bad_rows_manifest.parquet")
    return _finish(cfg, out_dir, rows, replays, len(bad_rows.manifest), started, say, workers)


def _block_progress(cfg: GeneratorConfig, number: int, files: RawFiles, started: float) -> str:
    first, stop = cfg.block_bounds(number)
    written = sum(files.rows(name) for name in contract.TABLES_BY_NAME)
    elapsed = time.perf_counter() - started
    return (
        f"block {number + 1:,} of {cfg.blocks:,} (members {first + 1:,}-{stop:,}): {written:,} raw rows so far, "
        f"{written / elapsed:,.0f} rows/s, peak RSS {peak_rss_mb():,} MB"
    )


def _finish(
    cfg: GeneratorConfig,
    out_dir: Path,
    rows: dict[str, int],
    replays: dict[str, int],
    bad_rows: int,
    started: float,
    say: Progress,
    workers: int,
) -> dict:
    elapsed = time.perf_counter() - started
    summary = {
        "config": {
            **{name: str(value) for name, value in asdict(cfg).items()},
            "generator_version": str(GENERATOR_VERSION),
        },
        "rows": rows,
        "exact_replays": replays,
        "bad_rows": bad_rows,
        "seconds": round(elapsed, 2),
        "rows_per_second": int(sum(rows.values()) / elapsed) if elapsed else None,
        "peak_rss_mb": peak_rss_mb(),
        "workers": workers,
    }
    # Timings, memory and the worker count vary between runs without changing the data, so they stay
    # out of the data folder (files stay byte-identical).
    varying = ("seconds", "rows_per_second", "peak_rss_mb", "workers")
    (out_dir / "generation.json").write_text(
        json.dumps({key: value for key, value in summary.items() if key not in varying}, indent=2)
    )
    say(
        f"done in {elapsed:.1f}s: {sum(rows.values()):,} raw rows, {summary['rows_per_second']:,} rows/s, "
        f"peak RSS {summary['peak_rss_mb']:,} MB"
    )
    return summary
