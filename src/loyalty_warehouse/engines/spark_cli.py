"""The Spark parts of the `loyalty` command: `loyalty spark start|stop|status|env|load`, and what
`loyalty build --target spark` runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import paths
from ..preflight import RawDataError
from ..runner import BuildError
from .spark_cluster import ClusterSize, LocalSparkCluster, port_open, spark_home
from .spark_server import (
    DEFAULT_CLUSTER_DIR,
    SparkConnectionError,
    SparkQueryError,
    SparkSettings,
    build_spark,
    load_raw,
)


def _say(message: str) -> None:
    click.echo(message, err=True)


def _fail(exc: Exception) -> None:
    _say(f"error: {exc}")
    sys.exit(1)


@click.group("spark")
def spark_group() -> None:
    """Run a local Spark cluster (master, workers, Thrift server) for the warehouse, or load raw files into one."""


_dir_option = click.option(
    "--dir",
    "cluster_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CLUSTER_DIR,
    show_default=True,
    help="Folder of the cluster's tables, metastore, logs and scratch space.",
)


@spark_group.command("start")
@_dir_option
@click.option(
    "--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes (1 core each)."
)
@click.option("--worker-memory", default="1g", show_default=True, help="Memory each worker offers its executor.")
@click.option("--master-port", type=int, default=7077, show_default=True)
@click.option(
    "--thrift-port", type=int, default=10000, show_default=True, help="Port of the Thrift server (dbt, BI tools)."
)
def start_cmd(cluster_dir: Path, workers: int, worker_memory: str, master_port: int, thrift_port: int) -> None:
    """Start a Spark master, workers and the Thrift server on 127.0.0.1 and print the variables to export.

    Run `eval "$(loyalty spark start)"` to start it and export them in one go.
    """
    size = ClusterSize.from_env()
    size = ClusterSize(**(size.__dict__ | {"workers": workers, "worker_memory": worker_memory}))
    cluster = LocalSparkCluster(cluster_dir)
    try:
        cluster.start(size, master_port=master_port, thrift_port=thrift_port, progress=_say)
    except RuntimeError as exc:
        _fail(exc)
    click.echo(cluster.exports())
    where = "" if cluster_dir.resolve() == DEFAULT_CLUSTER_DIR.resolve() else f" --dir {cluster_dir}"
    _say(f'export these variables (or run: eval "$(loyalty spark env{where})"), then: loyalty build --target spark')


@spark_group.command("stop")
@_dir_option
def stop_cmd(cluster_dir: Path) -> None:
    """Stop the Thrift server, the workers (with their executors) and the master; the tables stay in --dir."""
    LocalSparkCluster(cluster_dir).stop(progress=_say)


@spark_group.command("status")
@_dir_option
def status_cmd(cluster_dir: Path) -> None:
    """Say which processes of the local cluster run, their memory, and whether the Thrift server answers."""
    cluster = LocalSparkCluster(cluster_dir)
    if not cluster.is_running():
        click.echo(f"no Spark cluster running in {cluster.dir}")
        sys.exit(1)
    memory = cluster.resident_memory()
    for role, pids in cluster.processes().items():
        listed = ", ".join(map(str, pids)) or "-"
        click.echo(f"{role:7} pids {listed:20} resident {memory.get(role, 0) / 2**20:,.0f} MB")
    port = cluster.thrift_port()
    click.echo(f"Thrift server 127.0.0.1:{port}: {'accepting clients' if port_open(port) else 'not answering yet'}")
    click.echo(f"Spark log: {cluster.log_file}")


@spark_group.command("env")
@_dir_option
def env_cmd(cluster_dir: Path) -> None:
    """Print the export lines for the local cluster (LOYALTY_TARGET, LOYALTY_SPARK_HOST/PORT/STAGING_DIR)."""
    try:
        click.echo(LocalSparkCluster(cluster_dir).exports())
    except RuntimeError as exc:
        _fail(exc)


@spark_group.command("load")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=paths.DEFAULT_RAW_DIR, show_default=True)
def load_cmd(raw_dir: Path) -> None:
    """Replace database raw on the Thrift server with a raw folder's files (only needed for plain dbt)."""
    try:
        load_raw(SparkSettings.from_env(), raw_dir, progress=_say)
    except (RawDataError, SparkConnectionError, SparkQueryError) as exc:
        _fail(exc)


def build(raw_dir: Path, extra_vars: dict | None, full_refresh: bool) -> None:
    """`loyalty build --target spark`: load and build on the Thrift server named by LOYALTY_SPARK_HOST/PORT."""
    try:
        result = build_spark(raw_dir, extra_vars=extra_vars, progress=_say, full_refresh=full_refresh)
    except (RawDataError, BuildError, SparkConnectionError, SparkQueryError) as exc:
        _fail(exc)
    _say(f"built in {result.seconds:.1f}s (raw load {result.load_seconds:.1f}s) on {result.settings.url()}")
    click.echo("public tables:")
    for table, rows in result.public_rows.items():
        click.echo(f"  {table:45} {rows:>12,} rows")
    beeline = spark_home() / "bin" / "beeline"
    click.echo(
        f"query them with any Hive/Spark SQL client, e.g.: {beeline} -u jdbc:hive2://{result.settings.host}:"
        f"{result.settings.port} -n {result.settings.user} -e 'select * from customer_value.rpt_rfm_segments'"
    )
