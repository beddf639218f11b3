"""The PostgreSQL lane: a real server, the raw files loaded into it, every model and test built there,
and every public table equal to the DuckDB build of the same data."""

from __future__ import annotations

import decimal
import shutil
import tempfile
from pathlib import Path

import pytest

from table_compare import diff_rows, duckdb_public_tables, duckdb_rows, server_rows
from loyalty_warehouse.engines.postgres import PostgresServer, find_pg_bin, load_raw
from loyalty_warehouse.preflight import check_raw_dir
from loyalty_warehouse.runner import run_dbt

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres_build(small_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    if find_pg_bin() is None:
        pytest.fail(
            "PostgreSQL server binaries not found: the PostgreSQL lane needs Debian's package "
            "(apt-get install -y postgresql); `make test` installs it when run as root"
        )
    work = tmp_path_factory.mktemp("postgres")
    # The server runs as the postgres user, who cannot enter pytest's private temp folder.
    server_dir = Path(tempfile.mkdtemp(prefix="loyalty-pg-"))
    with PostgresServer(server_dir) as server:
        loaded = load_raw(server, small_raw)
        print("loaded into PostgreSQL:", loaded)
        locations = check_raw_dir(small_raw.resolve(), work / "placeholders").locations
        run_dbt(
            ["build"],
            work / "unused.duckdb",
            {"raw_locations": locations},
            target_path=work / "target",
            progress=print,
            extra_env=server.env(),
        )
        yield server
    shutil.rmtree(server_dir, ignore_errors=True)


def _postgres_rows(server: PostgresServer, table: str, columns: list[str]):
    con = server.connect()
    try:
        return server_rows(con, table, columns)
    finally:
        con.close()


def test_every_public_table_equals_duckdb(postgres_build: PostgresServer, built_warehouse: Path) -> None:
    tables = duckdb_public_tables(built_warehouse, include_duckdb_only=False)
    assert len(tables) >= 15, sorted(tables)
    diffs = []
    for table, columns in tables.items():
        diff = diff_rows(table, duckdb_rows(built_warehouse, table, columns), _postgres_rows(postgres_build, table, columns))
        print(f"{table:50} {diff.rows_left:>8} rows  duckdb {diff.fingerprint_left}  postgres {diff.fingerprint_right}")
        if not diff.equal:
            diffs.append(diff)
    assert not diffs, "tables differ between DuckDB and PostgreSQL:\n" + "\n".join(d.describe() for d in diffs)


def test_comparison_ignores_representation_but_not_values() -> None:
    from table_compare import normalise_rows

    left = normalise_rows([("M1", decimal.Decimal("600.00"), 3, True), ("M2", None, 0, False)])
    same = normalise_rows([("M2", None, 0.0, False), ("M1", 600.0, 3, True)])
    changed = normalise_rows([("M1", decimal.Decimal("600.01"), 3, True), ("M2", None, 0, False)])
    assert diff_rows("t", left, same).equal
    diff = diff_rows("t", left, changed)
    assert not diff.equal and diff.only_left == [left[0]] and diff.only_right == [changed[0]]
