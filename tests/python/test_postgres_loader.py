"""Loading raw files into PostgreSQL, and the local server users start with `loyalty postgres start`.

The loader goes through the preflight (Parquet or CSV, the same errors as the DuckDB build) and
swaps the new raw schema in within one transaction: a missing, empty or bad folder leaves the
loaded raw data exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from loyalty_warehouse.contract import RAW_TABLES
from loyalty_warehouse.engines.postgres import PgSettings, PostgresServer, find_pg_bin, free_port, load_raw
from loyalty_warehouse.preflight import RawDataError

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server():
    if find_pg_bin() is None:
        pytest.fail("PostgreSQL server binaries not found: install Debian's package (scripts/ensure_postgres.sh)")
    server_dir = Path(tempfile.mkdtemp(prefix="loyalty-pg-load-"))
    with PostgresServer(server_dir) as running:
        yield running
    shutil.rmtree(server_dir, ignore_errors=True)


def _raw_state(server: PostgresServer) -> dict[str, tuple]:
    """{table: (oid, rows, md5 of every row)} of the raw schema."""
    state = {}
    for table in RAW_TABLES:
        state[table.name] = server.execute(
            f"select 'raw.{table.name}'::regclass::oid, count(*), "
            f"md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from raw.{table.name} as t"
        )[0]
    return state


@pytest.fixture(scope="module")
def parquet_load(server: PostgresServer, small_raw: Path) -> dict[str, tuple]:
    loaded = load_raw(server.settings, small_raw, progress=print)
    assert loaded.rows == loaded.preflight.row_counts
    return _raw_state(server)


def _as_csv(parquet_dir: Path, csv_dir: Path) -> Path:
    csv_dir.mkdir()
    con = duckdb.connect()
    try:
        for table in RAW_TABLES:
            con.execute(
                f"copy (select * from '{parquet_dir / table.name}.parquet') to '{csv_dir / table.name}.csv' (header)"
            )
    finally:
        con.close()
    return csv_dir


def test_parquet_load_counts_every_row_and_logs_the_files(
    parquet_load: dict, server: PostgresServer, small_raw: Path
) -> None:
    for table in RAW_TABLES:
        rows = duckdb.connect().execute(f"select count(*) from '{small_raw / table.name}.parquet'").fetchone()[0]
        assert parquet_load[table.name][1] == rows > 0, table.name
    log = dict(server.execute("select table_name, row_count from raw.loyalty_load_log"))
    assert log == {name: state[1] for name, state in parquet_load.items()}


def test_csv_folder_loads_the_same_rows_as_parquet(
    parquet_load: dict, server: PostgresServer, small_raw: Path, tmp_path: Path
) -> None:
    csv_dir = _as_csv(small_raw, tmp_path / "csv")
    load_raw(server.settings, csv_dir)
    csv_state = _raw_state(server)
    # same rows and values (md5 over every row), in new tables (the schema was swapped)
    assert {name: state[1:] for name, state in csv_state.items()} == {
        name: state[1:] for name, state in parquet_load.items()
    }
    assert all(csv_state[name][0] != parquet_load[name][0] for name in csv_state)


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing folder", "does not exist"),
        ("empty folder", "holds none of the raw files"),
        ("malformed CSV line", r"raw_orders.csv: line 3 has 2 fields but the header has"),
        ("required file missing", r"required file raw_members.parquet \(or .csv\) is missing"),
    ],
)
def test_bad_folder_is_refused_and_the_loaded_raw_data_stays(
    parquet_load: dict, server: PostgresServer, small_raw: Path, tmp_path: Path, case: str, message: str
) -> None:
    before = _raw_state(server)
    folder = tmp_path / "export"
    if case == "empty folder":
        folder.mkdir()
    elif case == "malformed CSV line":
        _as_csv(small_raw, folder)
        lines = (folder / "raw_orders.csv").read_text().splitlines()
        lines[2] = "broken,line"
        (folder / "raw_orders.csv").write_text("\n".join(lines) + "\n")
    elif case == "required file missing":
        shutil.copytree(small_raw, folder)
        (folder / "raw_members.parquet").unlink()
    with pytest.raises(RawDataError, match=message):
        load_raw(server.settings, folder)
    assert _raw_state(server) == before


def test_command_line_loader_exits_1_with_one_line(parquet_load: dict, server: PostgresServer, tmp_path: Path) -> None:
    env = os.environ | {k: v for k, v in server.settings.dbt_env().items() if k.startswith("LOYALTY_PG_")}
    proc = subprocess.run(
        [sys.executable, "-m", "loyalty_warehouse.engines.postgres", "--raw-dir", str(tmp_path / "typo")],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("error: raw data folder"), proc.stderr


def test_unreachable_server_gives_one_clear_line(small_raw: Path) -> None:
    from loyalty_warehouse.engines.postgres import PgConnectionError

    with pytest.raises(
        PgConnectionError,
        match=r"cannot connect to postgresql://postgres@127.0.0.1:\d+/loyalty.*loyalty postgres start",
    ):
        load_raw(PgSettings(port=free_port()), small_raw)


# --------------------------------------------------------------------------- loyalty postgres start / stop


def _loyalty(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("loyalty")), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def _exports(text: str) -> dict[str, str]:
    pairs = [line.removeprefix("export ").split("=", 1) for line in text.splitlines() if line.startswith("export ")]
    return {key: value.strip("'") for key, value in pairs}


def test_local_server_starts_prints_its_settings_and_stops() -> None:
    parent = Path(tempfile.mkdtemp(prefix="loyalty-pg-local-"))
    server_dir = parent / "server"
    try:
        if os.geteuid() == 0:  # the server runs as postgres, who cannot enter a private folder: say so
            refused = _loyalty("postgres", "start", "--dir", str(server_dir), "--port", str(free_port()))
            assert refused.returncode == 1 and "the postgres user cannot enter" in refused.stderr, refused.stderr
            shutil.rmtree(server_dir, ignore_errors=True)
        parent.chmod(0o755)
        started = _loyalty("postgres", "start", "--dir", str(server_dir), "--port", str(free_port()))
        assert started.returncode == 0, started.stderr
        exported = _exports(started.stdout)
        assert set(exported) == {
            "LOYALTY_PG_HOST",
            "LOYALTY_PG_PORT",
            "LOYALTY_PG_USER",
            "LOYALTY_PG_PASSWORD",
            "LOYALTY_PG_DATABASE",
            "LOYALTY_PG_BI_PASSWORD",
        }
        settings = PgSettings.from_env(exported)
        con = settings.connect()
        with con.cursor() as cur:
            cur.execute("select current_database(), current_setting('listen_addresses')")
            assert cur.fetchone() == ("loyalty", "127.0.0.1")
        con.close()
        with pytest.raises(Exception, match="password authentication failed"):
            PgSettings.from_env(exported | {"LOYALTY_PG_PASSWORD": "wrong"}).connect()
        again = _loyalty("postgres", "start", "--dir", str(server_dir))  # already running: the same settings
        assert again.returncode == 0 and _exports(again.stdout) == exported and "already running" in again.stderr
        assert _exports(_loyalty("postgres", "env", "--dir", str(server_dir)).stdout) == exported
        stopped = _loyalty("postgres", "stop", "--dir", str(server_dir))
        assert stopped.returncode == 0 and "stopped PostgreSQL" in stopped.stderr
        with pytest.raises(Exception, match="cannot connect"):
            settings.connect()
    finally:
        _loyalty("postgres", "stop", "--dir", str(server_dir))
        shutil.rmtree(parent, ignore_errors=True)
