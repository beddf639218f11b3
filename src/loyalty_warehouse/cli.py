"""The `loyalty` command. Commands parse arguments and call module functions; every error is one line
that says what to do (exit 1 for a failed build or check, 2 for a bad argument)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

import click
import duckdb

from . import paths, project_vars
from .engines import pg_cli, spark_cli
from .exports import ExportError
from .gates import GateError, check_marts, check_raw
from .generator import GENERATOR_VERSION, MEMBERS_PER_BLOCK, GeneratorConfig, generate
from .preflight import RawDataError, check_raw_dir
from .published import (
    DEFAULT_KEEP_BUILDS,
    KEEP_BUILDS_ENV,
    KeepBuildsError,
    PublishedBuild,
    WarehouseNotFound,
    current_build,
    stable_path,
)
from .quality_report import REPORT_NAME, clear_runs
from .report import FORMATS, TABLE_ROWS, format_headline, headline, run_query
from .runner import BuildError, build, data_docs_path

DEMO_MEMBERS = 50_000


def _say(message: str) -> None:
    click.echo(message, err=True)


def _fail(message: str) -> None:
    _say(f"error: {message}")
    sys.exit(1)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _vars_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dict:
    try:
        return project_vars.parse(value)
    except project_vars.VarsError as exc:
        raise click.BadParameter(str(exc)) from None


raw_dir_option = click.option(
    "--raw-dir",
    type=click.Path(path_type=Path),
    default=paths.DEFAULT_RAW_DIR,
    show_default=True,
    help="Folder with one Parquet or CSV file per raw table.",
)
warehouse_option = click.option(
    "--warehouse",
    type=click.Path(path_type=Path),
    default=paths.DEFAULT_WAREHOUSE,
    show_default=True,
    help="The published warehouse: a stable path (a symlink to the current build, with the pointer "
    "<name>.current.json, builds/ and exports/ beside it; docs/bi-access.md). "
    "Default: LOYALTY_WAREHOUSE_PATH, else warehouse/loyalty.duckdb.",
)
vars_option = click.option(
    "--vars",
    "dbt_vars",
    default=None,
    callback=_vars_option,
    help="dbt vars as a JSON object, e.g. '{\"member_window_days\": 180}' (names as in dbt_project.yml).",
)


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
@click.option(
    "--block-members",
    type=int,
    default=MEMBERS_PER_BLOCK,
    show_default=True,
    help="Members generated and written at a time; memory follows it. Another size draws other data.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Blocks generated at once (default: one per core, at most 2). The files do not depend on it.",
)
def generate_cmd(
    members: int,
    seed: int,
    out_dir: Path,
    start: str,
    end: str,
    bad_rows: bool,
    block_members: int,
    workers: int | None,
) -> None:
    """Generate realistic raw data (Parquet) plus a ground-truth file, block by block (progress on stderr)."""
    try:
        cfg = GeneratorConfig(
            members=members,
            seed=seed,
            start_date=_date(start),
            end_date=_date(end),
            bad_rows=bad_rows,
            block_members=block_members,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    summary = generate(cfg, out_dir, progress=_say, workers=workers)
    click.echo(json.dumps(summary, indent=2))


@main.command("check")
@raw_dir_option
@vars_option
def check_cmd(raw_dir: Path, dbt_vars: dict) -> None:
    """Profile a raw folder before building: period, rows, what the quarantine will hold back and why."""
    from .profile import data_profile

    try:
        click.echo(data_profile(raw_dir.resolve(), dbt_vars, progress=_say).render())
    except (RawDataError, BuildError) as exc:
        _fail(str(exc))


_target_option = click.option(
    "--target",
    type=click.Choice(["duckdb", "postgres", "spark"]),
    default="duckdb",
    show_default=True,
    help="postgres: the database named by LOYALTY_PG_HOST/PORT/USER/PASSWORD/DATABASE (docs/postgres.md); "
    "spark: the Thrift server at LOYALTY_SPARK_HOST/PORT (docs/engines.md).",
)


@main.command("build")
@raw_dir_option
@warehouse_option
@vars_option
@_target_option
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild everything from the raw files instead of adding to the published warehouse.",
)
@click.option(
    "--keep-builds",
    type=click.IntRange(min=1),
    default=None,
    help=f"Published builds (and their Parquet exports) to keep on disk, the new one included "
    f"[default: {KEEP_BUILDS_ENV}, else {DEFAULT_KEEP_BUILDS}].",
)
def build_cmd(
    raw_dir: Path, warehouse: Path, dbt_vars: dict, target: str, full_refresh: bool, keep_builds: int | None
) -> None:
    """Check the raw files and build every model and test with dbt; publish when all pass."""
    if target == "postgres":
        pg_cli.build(raw_dir, dbt_vars or None, full_refresh)
        return
    if target == "spark":
        spark_cli.build(raw_dir, dbt_vars or None, full_refresh)
        return
    _build(raw_dir, warehouse, dbt_vars, full_refresh, keep_builds)


@main.command("demo")
@click.option("--members", type=int, default=DEMO_MEMBERS, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@raw_dir_option
@warehouse_option
def demo_cmd(members: int, seed: int, raw_dir: Path, warehouse: Path) -> None:
    """Generate the demo dataset (if not there yet) and build the warehouse from it."""
    marker = raw_dir / "generation.json"
    wanted = {"members": str(members), "seed": str(seed), "generator_version": str(GENERATOR_VERSION)}
    current = json.loads(marker.read_text())["config"] if marker.exists() else {}
    if {k: current.get(k) for k in wanted} != wanted:
        generate(GeneratorConfig(members=members, seed=seed), raw_dir, progress=_say)
    else:
        _say(f"demo data already in {raw_dir} ({members:,} members, seed {seed})")
    _build(raw_dir, warehouse, {}, False)


@main.command("validate")
@raw_dir_option
@warehouse_option
@vars_option
@click.option(
    "--docs-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the Data Docs (default: data_docs/ beside the warehouse).",
)
@_target_option
def validate_cmd(raw_dir: Path, warehouse: Path, dbt_vars: dict, docs_dir: Path | None, target: str) -> None:
    """Run the great-expectations gates: the raw files, and the published warehouse if there is one."""
    if target == "postgres":
        pg_cli.validate(raw_dir, docs_dir)
        return
    if target == "spark":
        raise click.UsageError("validate --target spark is not built yet: the gates read DuckDB or PostgreSQL")
    docs = docs_dir or data_docs_path(warehouse)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            pre = check_raw_dir(raw_dir.resolve(), Path(scratch))
        except RawDataError as exc:
            _fail(str(exc))
        clear_runs(docs)  # the report then shows this run's gates only, not a mart gate of an earlier run
        results = [check_raw(pre.locations, docs, pre.row_counts)]
    published = _published_or_none(warehouse)
    if published is not None:
        _say(f"mart gate on the current build: {published.database}")
        results.append(check_marts(published.database, docs, dbt_vars))
    else:
        _say(f"no warehouse at {warehouse}: only the raw gate ran")
    for result in results:
        _say(f"{result.suite} gate: {'passed' if result.success else 'FAILED'}")
        for failure in result.failed:
            _say(f"  failed: {failure}")
    _say(f"quality report (readable offline): {docs / REPORT_NAME}")
    _say(f"Data Docs: {docs / 'index.html'}")
    if not all(r.success for r in results):
        sys.exit(1)


@main.command("bench")
@click.option("--members", type=int, default=200_000, show_default=True, help="Members to generate.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option(
    "--work-dir",
    type=click.Path(path_type=Path),
    default=Path("/tmp/loyalty-bench"),
    show_default=True,
    help="Scratch folder for the raw files and the warehouse (emptied first).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the JSON and markdown reports go (default: benchmarks/).",
)
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
@warehouse_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table (aligned text), csv or json.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help=f"Rows to print at most (default: {TABLE_ROWS} for a table, all for csv and json).",
)
def query_cmd(sql: str, warehouse: Path, fmt: str, limit: int | None) -> None:
    """Run a read-only SQL query against the warehouse and print the result."""
    if warehouse.is_dir():
        raise click.UsageError(f"--warehouse {warehouse} is a folder; give the .duckdb file")
    if _published_or_none(warehouse) is None:
        raise click.UsageError(f"no warehouse at {warehouse}; run `loyalty demo` or `loyalty build` first")
    if limit is None and fmt == "table":
        limit = TABLE_ROWS
    try:
        click.echo(run_query(warehouse, sql, limit).render(fmt))
    except duckdb.Error as exc:
        # A mistyped table or column is the analyst's error, not a crash: show DuckDB's message only.
        raise click.ClickException(f"query failed on {warehouse}: {str(exc).splitlines()[0]}") from exc


@main.command("docs")
@warehouse_option
def docs_cmd(warehouse: Path) -> None:
    """Generate the dbt docs site (one HTML file) with the catalog of the current published build."""
    from .docs_site import generate_docs

    try:
        site, build_used = generate_docs(warehouse, progress=_say)
    except BuildError as exc:
        _fail(str(exc))
    if build_used is None:
        _say(
            f"note: no published build at {warehouse}, so the site has no catalog (column types, row counts); "
            "run `loyalty build` first"
        )
    else:
        _say(f"catalog from build {build_used.build_id or build_used.database}")
    click.echo(f"docs site (one file, opens from disk): {site}")


@main.command("dashboard")
@click.option("--warehouse", type=click.Path(path_type=Path), default=paths.DEFAULT_WAREHOUSE, show_default=True)
@click.option("--port", type=int, default=8050, show_default=True, help="Port to listen on (0 = any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (local only by default).")
def dashboard_cmd(warehouse: Path, port: int, host: str) -> None:
    """Serve the dashboard over the published warehouse; a new build shows on the next page load."""
    from .dashboard.server import PortInUse, serve

    try:
        serve(warehouse, host, port, say=_say)
    except PortInUse as exc:
        raise click.ClickException(str(exc)) from exc


def _published_or_none(warehouse: Path) -> PublishedBuild | None:
    try:
        build_now = current_build(warehouse)
    except WarehouseNotFound:
        return None
    return build_now if build_now.database.is_file() else None


def _build(raw_dir: Path, warehouse: Path, dbt_vars: dict, full_refresh: bool, keep: int | None = None) -> None:
    try:
        result = build(raw_dir, warehouse, dbt_vars, progress=_say, full_refresh=full_refresh, keep=keep)
    except (RawDataError, BuildError, GateError, ExportError, KeepBuildsError, project_vars.VarsError) as exc:
        _fail(str(exc))
    _say(f"built in {result.seconds:.1f}s")
    if result.data_docs:
        _say(
            f"quality report (readable offline): {result.data_docs / REPORT_NAME}; Data Docs: "
            f"{result.data_docs / 'index.html'}"
        )
    currency, default = result.settings["currency_code"], stable_path(paths.DEFAULT_WAREHOUSE)
    click.echo(format_headline(headline(result.warehouse), result.warehouse, currency, default))


main.add_command(pg_cli.postgres_group)
main.add_command(spark_cli.spark_group)


if __name__ == "__main__":
    main()
