"""The PostgreSQL parts of the `loyalty` command: `loyalty postgres start|stop|env|load`, and what
`loyalty build --target postgres` and `loyalty validate --target postgres` run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import paths
from ..gates import GateError
from ..preflight import RawDataError
from ..runner import BuildError
from .postgres import LocalServer, PgConnectionError, PgSettings, PublishError, load_raw

DEFAULT_SERVER_DIR = paths.DEFAULT_WAREHOUSE.parent / "postgres"


def _say(message: str) -> None:
    click.echo(message, err=True)


def _fail(exc: Exception) -> None:
    _say(f"error: {exc}")
    sys.exit(1)


@click.group("postgres")
def postgres_group() -> None:
    """Run a local PostgreSQL server for the warehouse, or load raw files into one."""


_dir_option = click.option(
    "--dir",
    "server_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_SERVER_DIR,
    show_default=True,
    help="Folder of the server's data, socket, log and generated passwords.",
)


@postgres_group.command("start")
@_dir_option
@click.option(
    "--port", type=int, default=5432, show_default=True, help="Port on 127.0.0.1 (used when the server is created)."
)
def start_cmd(server_dir: Path, port: int) -> None:
    """Start (creating it the first time) a local PostgreSQL server and print the variables to export.

    Run `eval "$(loyalty postgres start)"` to start it and export them in one go.
    """
    try:
        server = LocalServer(server_dir)
        server.start(port=port, progress=_say)
    except (RuntimeError, PgConnectionError) as exc:
        _fail(exc)
    click.echo(server.exports())
    where = "" if server_dir.resolve() == DEFAULT_SERVER_DIR.resolve() else f" --dir {server_dir}"
    _say(
        f'export these variables (or run: eval "$(loyalty postgres env{where})"), then: loyalty build --target postgres'
    )


@postgres_group.command("stop")
@_dir_option
def stop_cmd(server_dir: Path) -> None:
    """Stop the local PostgreSQL server (its data stays in --dir)."""
    try:
        LocalServer(server_dir).stop(progress=_say)
    except RuntimeError as exc:
        _fail(exc)


@postgres_group.command("env")
@_dir_option
def env_cmd(server_dir: Path) -> None:
    """Print the export lines for the local server (LOYALTY_PG_* and the BI role's password)."""
    try:
        click.echo(LocalServer(server_dir).exports())
    except RuntimeError as exc:
        _fail(exc)


@postgres_group.command("load")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=paths.DEFAULT_RAW_DIR, show_default=True)
def load_cmd(raw_dir: Path) -> None:
    """Replace schema raw with a raw folder's files, in one transaction (only needed for plain dbt)."""
    try:
        load_raw(PgSettings.from_env(), raw_dir, progress=_say)
    except (RawDataError, PgConnectionError, PublishError) as exc:
        _fail(exc)


def build(raw_dir: Path, extra_vars: dict | None, full_refresh: bool) -> None:
    """`loyalty build --target postgres`: write-audit-publish into the database named by LOYALTY_PG_*."""
    from .pg_publish import build_postgres, format_headline, headline

    try:
        result = build_postgres(raw_dir, extra_vars=extra_vars, progress=_say, full_refresh=full_refresh)
        figures = headline(result.settings)
    except (RawDataError, BuildError, GateError, PgConnectionError, PublishError) as exc:
        _fail(exc)
    docs = result.data_docs / "index.html" if result.data_docs else "not written"
    _say(f"built and published in {result.seconds:.1f}s; Data Docs: {docs}")
    click.echo(format_headline(figures, result.settings, result.bi_role))


def validate(raw_dir: Path, docs_dir: Path | None) -> None:
    """`loyalty validate --target postgres`: the raw gate on the files, the mart gate on the published schemas."""
    import psycopg2

    from .pg_publish import default_docs_dir
    from .pg_publish import validate as validate_postgres

    docs = docs_dir or default_docs_dir()
    try:
        results = validate_postgres(raw_dir, PgSettings.from_env(), docs)
    except (RawDataError, PgConnectionError) as exc:
        _fail(exc)
    except psycopg2.Error as exc:  # e.g. nothing published yet: say so in one line
        _fail(
            RuntimeError(
                f"cannot read the published warehouse ({str(exc).strip().splitlines()[0]}); "
                "run `loyalty build --target postgres` first"
            )
        )
    for result in results:
        _say(f"{result.suite} gate: {'passed' if result.success else 'FAILED'}")
        for failure in result.failed:
            _say(f"  failed: {failure}")
    _say(f"Data Docs: {docs / 'index.html'}")
    if not all(r.success for r in results):
        sys.exit(1)
