"""Benchmark the data generator: rows/s, peak memory, wall time and file sizes at a given size.

    .venv/bin/python scripts/bench_generator.py --members 1000000 [--workers 2] \
        [--report benchmarks/generator_1000000.md]

Writes the data under --work-dir (default /tmp/loyalty-generator-bench), deletes it afterwards unless
--keep, and refuses to start when the disk has less free space than the data is expected to take.
Peak memory is the process's own high-water mark (getrusage) and, as a cross-check, the largest of
RSS samples taken every 50 ms by psutil. Run it with `nice -n 10` on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import threading
import time
from pathlib import Path

import psutil

from loyalty_warehouse.generator import (
    GENERATOR_VERSION,
    MEMBERS_PER_BLOCK,
    GeneratorConfig,
    generate,
)

BYTES_PER_MEMBER_ESTIMATE = 700  # ~600 B of Parquet per member at the defaults, with room to spare
MARKER = ".loyalty-generator-bench"


class RssSampler:
    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, process.memory_info().rss)
            self._stop.wait(0.05)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _prepare(work: Path, members: int) -> None:
    if work.exists() and any(work.iterdir()):
        if not (work / MARKER).exists():
            sys.exit(f"error: {work} is not empty and was not made by this script; pass an empty --work-dir")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).touch()
    needed = members * BYTES_PER_MEMBER_ESTIMATE
    free = shutil.disk_usage(work).free
    if free < needed * 1.5:
        sys.exit(
            f"error: {work} has {free / 2**30:.1f} GiB free; about {needed / 2**30:.1f} GiB are needed (pass "
            "--work-dir)"
        )


def run(members: int, workers: int | None, block_members: int, work: Path) -> dict:
    _prepare(work, members)
    raw = work / "raw"
    load_before = _load()
    cpu_started = time.process_time()
    with RssSampler() as sampler:
        summary = generate(
            GeneratorConfig(members=members, block_members=block_members),
            raw,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
            workers=workers,
        )
    cpu = time.process_time() - cpu_started
    sizes = {path.name: path.stat().st_size for path in sorted(raw.glob("*.parquet"))}
    return {
        "members": members,
        "workers": workers,
        "block_members": block_members,
        "summary": summary,
        "cpu_seconds": round(cpu, 1),
        "sampled_peak_rss_mb": round(sampler.peak / 2**20),
        "file_bytes": sizes,
        "load_before": load_before,
        "load_after": _load(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def render(result: dict) -> str:
    summary = result["summary"]
    rows = summary["rows"]
    total_rows = sum(rows.values())
    total_bytes = sum(result["file_bytes"].values())
    memory = psutil.virtual_memory().total / 2**30
    lines = [
        f"# Generator benchmark: {result['members']:,} members",
        "",
        f"Measured {result['when']} on {os.cpu_count()} cores, {memory:.1f} GB, Python {platform.python_version()}; "
        f"generator version {GENERATOR_VERSION}, blocks of {result['block_members']:,} members, "
        f"workers {summary.get('workers', result['workers'] or 'default')}; run with `nice -n 10`.",
        f"Machine load (1 / 5 / 15 min) before: {result['load_before']}, after: {result['load_after']} "
        "(the machine is shared: a load above 2 means other work took part of the two cores).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| raw rows | {total_rows:,} |",
        f"| wall time | {summary['seconds']:,} s |",
        f"| rows per second (wall) | {summary['rows_per_second']:,} |",
        f"| CPU time (all threads) | {result['cpu_seconds']:,} s |",
        f"| rows per CPU second (what a core does, whatever the load) | {total_rows / result['cpu_seconds']:,.0f} |",
        f"| peak RSS (getrusage) | {summary['peak_rss_mb']:,} MB |",
        f"| peak RSS (sampled every 50 ms) | {result['sampled_peak_rss_mb']:,} MB |",
        f"| files | {total_bytes / 2**20:,.0f} MiB |",
        "",
        "| file | rows | MiB |",
        "|---|---:|---:|",
    ]
    for name, size in result["file_bytes"].items():
        table = name.removesuffix(".parquet")
        count = f"{rows[table]:,}" if table in rows else ("members" if table == "ground_truth" else "")
        lines.append(f"| {name} | {count} | {size / 2**20:,.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--block-members", type=int, default=MEMBERS_PER_BLOCK)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/loyalty-generator-bench"))
    parser.add_argument("--report", type=Path, default=None, help="Also write the Markdown report here.")
    parser.add_argument("--keep", action="store_true", help="Keep the generated files.")
    args = parser.parse_args()
    result = run(args.members, args.workers, args.block_members, args.work_dir)
    report = render(result)
    print(report)
    if args.report:
        args.report.write_text(report)
    if not args.keep:
        shutil.rmtree(args.work_dir)


if __name__ == "__main__":
    main()
