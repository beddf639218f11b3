"""The `loyalty` command. Commands parse arguments and call module functions."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click
import duckdb

from . import paths
from .engines import pg_cli
from .gates import GateError, check_marts, check_raw
from .generator import GENERATOR_VERSION, GeneratorConfig, generate
from .preflight import RawDataError, check_raw_dir
from .report import format_headline, headline, run_query
from .runner import BuildError, build, data_docs_path

DEMO_MEMBERS = 50_000


def _say(message: str) -> None:
    click.echo(message, err=True)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@click.group()
@click.version_option(package_name="loyalty-warehouse")
def main() -> None:
    """loyalty-warehouse: build the private-domain member analytics warehouse."""


@main.command("generate")
@click.option("--members", type=int, default=DEMO_MEMBERS, show_default=True, help="Number of members.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed (same arguments, same files).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=paths.DEFAULT_RAW_DIR, show_default=True)
@click.option("--start", "start", default="2023-01-01", show_default=True, help="First day of the data (YYYY-MM-DD).")
@click.option("--end", "end", default="2024-12-31", show_default=True, help="Last day of the data (YYYY-MM-DD).")
@click.option("--bad-rows", is_flag=True, help="Plant bad rows of every bad-input class (for data-quality tests).")
def generate_cmd(members: int, seed: int, out_dir: Path, start: str, end: str, bad_rows: bool) -> None:
    """Generate realistic raw data (Parquet) plus a ground-truth file."""
    try:
        cfg = GeneratorConfig(members=members, seed=seed, start_date=_date(start), end_date=_date(end), bad_rows=bad_rows)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    summary = generate(cfg, out_dir, progress=_say)
    click.echo(json.dumps(summary, indent=2))


_target_option = click.option(
    "--target", type=click.Choice(["duckdb", "postgres"]), default="duckdb", show_default=True,
    help="postgres: the database named by LOYALTY_PG_HOST/PORT/USER/PASSWORD/DATABASE (docs/postgres.md).",
)


@main.command("build")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=paths.DEFAULT_RAW_DIR, show_default=True)
@click.option("--warehouse", type=click.Path(path_type=Path), default=paths.DEFAULT_WAREHOUSE, show_default=True)
@click.option("--vars", "vars_json", default=None, help='dbt vars as JSON, e.g. \'{"member_window_days": 180}\'.')
@_target_option
@click.option("--full-refresh", is_flag=True, help="postgres: rebuild the incremental models instead of continuing from the published ones.")
def build_cmd(raw_dir: Path, warehouse: Path, vars_json: str | None, target: str, full_refresh: bool) -> None:
    """Check the raw files and build every model and test with dbt."""
    if target == "postgres":
        pg_cli.build(raw_dir, json.loads(vars_json) if vars_json else None, full_refresh)
        return
    if full_refresh:
        raise click.UsageError("--full-refresh is for --target postgres; on DuckDB delete the warehouse file instead")
    _build(raw_dir, warehouse, json.loads(vars_json) if vars_json else None)


@main.command("demo")
@click.option("--members", type=int, default=DEMO_MEMBERS, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--raw-dir", type=click.Path(path_type=Path), default=paths.DEFAULT_RAW_DIR, show_default=True)
@click.option("--warehouse", type=click.Path(path_type=Path), default=paths.DEFAULT_WAREHOUSE, show_default=True)
def demo_cmd(members: int, seed: int, raw_dir: Path, warehouse: Path) -> None:
    """Generate the demo dataset (if not there yet) and build the warehouse from it."""
    marker = raw_dir / "generation.json"
    wanted = {"members": str(members), "seed": str(seed), "generator_version": str(GENERATOR_VERSION)}
    current = json.loads(marker.read_text())["config"] if marker.exists() else {}
    if {k: current.get(k) for k in wanted} != wanted:
        generate(GeneratorConfig(members=members, seed=seed), raw_dir, progress=_say)
    else:
        _say(f"demo data already in {raw_dir} ({members:,} members, seed {seed})")
    _build(raw_dir, warehouse, None)


@main.command("validate")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=paths.DEFAULT_RAW_DIR, show_default=True)
@click.option("--warehouse", type=click.Path(path_type=Path), default=paths.DEFAULT_WAREHOUSE, show_default=True)
@click.option("--docs-dir", type=click.Path(path_type=Path), default=None,
              help="Where to write the Data Docs (default: data_docs/ beside the warehouse).")
@_target_option
def validate_cmd(raw_dir: Path, warehouse: Path, docs_dir: Path | None, target: str) -> None:
    """Run the great-expectations gates: the raw files, and the published warehouse if there is one."""
    if target == "postgres":
        pg_cli.validate(raw_dir, docs_dir)
        return
    docs = docs_dir or data_docs_path(warehouse)
    try:
        pre = check_raw_dir(raw_dir.resolve(), warehouse.parent / "placeholders")
    except RawDataError as exc:
        _say(f"error: {exc}")
        sys.exit(1)
    results = [check_raw(pre.locations, docs)]
    if warehouse.exists():
        results.append(check_marts(warehouse, docs))
    else:
        _say(f"no warehouse at {warehouse}: only the raw gate ran")
    for result in results:
        _say(f"{result.suite} gate: {'passed' if result.success else 'FAILED'}")
        for failure in result.failed:
            _say(f"  failed: {failure}")
    _say(f"Data Docs: {docs / 'index.html'}")
    if not all(r.success for r in results):
        sys.exit(1)


@main.command("bench")
@click.option("--members", type=int, default=200_000, show_default=True, help="Members to generate.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--work-dir", type=click.Path(path_type=Path), default=Path("/tmp/loyalty-bench"), show_default=True,
              help="Scratch folder for the raw files and the warehouse (emptied first).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Where the JSON and markdown reports go (default: benchmarks/).")
def bench_cmd(members: int, seed: int, work_dir: Path, out_dir: Path | None) -> None:
    """Benchmark: generate, full build, incremental build of one more day, RFM vs engine floor and pandas."""
    from .bench import default_out_dir, render_markdown, run_bench

    try:
        report = run_bench(members, work_dir, out_dir or default_out_dir(), seed=seed, progress=_say)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(render_markdown(report))


@main.command("query")
@click.argument("sql")
@click.option("--warehouse", type=click.Path(path_type=Path), default=paths.DEFAULT_WAREHOUSE, show_default=True)
@click.option("--limit", type=int, default=50, show_default=True, help="Rows to print at most.")
def query_cmd(sql: str, warehouse: Path, limit: int) -> None:
    """Run a read-only SQL query against the warehouse and print the result."""
    if not warehouse.exists():
        raise click.UsageError(f"no warehouse at {warehouse}; run `loyalty demo` or `loyalty build` first")
    try:
        click.echo(run_query(warehouse, sql, limit))
    except duckdb.Error as exc:
        # A mistyped table or column is the analyst's error, not a crash: show DuckDB's message only.
        raise click.ClickException(f"query failed on {warehouse}: {exc}") from exc


def _build(raw_dir: Path, warehouse: Path, extra_vars: dict | None) -> None:
    try:
        result = build(raw_dir, warehouse, extra_vars, progress=_say)
    except (RawDataError, BuildError, GateError) as exc:
        _say(f"error: {exc}")
        sys.exit(1)
    _say(f"built in {result.seconds:.1f}s; Data Docs: {result.data_docs / 'index.html' if result.data_docs else 'not written'}")
    click.echo(format_headline(headline(result.warehouse), result.warehouse))


main.add_command(pg_cli.postgres_group)


if __name__ == "__main__":
    main()
