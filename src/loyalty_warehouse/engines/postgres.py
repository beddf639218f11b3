"""The PostgreSQL lane: a throwaway local server, raw files loaded into it, and dbt run against it.

The server is Debian's PostgreSQL, started with its own data directory under a
temporary folder, listening on 127.0.0.1 only, and stopped afterwards.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..contract import RAW_TABLES

_PG_TYPES = {
    "varchar": "text",
    "timestamp": "timestamp",
    "double": "double precision",
    "bigint": "bigint",
    "boolean": "boolean",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_pg_bin() -> Path | None:
    """Directory of Debian's PostgreSQL server binaries, newest version first."""
    root = Path("/usr/lib/postgresql")
    if not root.is_dir():
        return None
    for version in sorted(root.iterdir(), key=lambda p: p.name, reverse=True):
        if (version / "bin" / "pg_ctl").exists():
            return version / "bin"
    return None


@dataclass
class PostgresServer:
    """A PostgreSQL server for the duration of a `with` block."""

    workdir: Path
    port: int = 0  # 0 = any free port
    database: str = "loyalty"

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        pg_bin = find_pg_bin()
        if pg_bin is None:
            raise RuntimeError("PostgreSQL server binaries not found; install Debian's package: apt-get install -y postgresql")
        self.pg_bin = pg_bin
        self.data_dir = self.workdir / "pgdata"
        self.socket_dir = self.workdir / "pgsock"

    def _as_postgres(self, args: list[str]) -> list[str]:
        # initdb and the server refuse to run as root; run them as the postgres user then.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def _run(self, args: list[str]) -> None:
        proc = subprocess.run(self._as_postgres(args), stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")

    def __enter__(self) -> PostgresServer:
        for folder in (self.data_dir, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        self._run([str(self.pg_bin / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.socket_dir} -c fsync=off"
        self._run([str(self.pg_bin / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.workdir / "server.log"), "-o", options, "-w", "start"])
        self._wait_ready()
        self.execute(f"create database {self.database}", database="postgres", autocommit=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._run([str(self.pg_bin / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])

    def _wait_ready(self, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.execute("select 1", database="postgres")
                return
            except Exception:  # noqa: BLE001 - the server is still starting
                time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not start; see {self.workdir / 'server.log'}")

    def connect(self, database: str | None = None):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database or self.database)

    def execute(self, sql: str, database: str | None = None, autocommit: bool = False) -> list[tuple]:
        con = self.connect(database)
        con.autocommit = autocommit
        try:
            with con.cursor() as cur:
                cur.execute(sql)
                rows = cur.fetchall() if cur.description else []
            if not autocommit:
                con.commit()
            return rows
        finally:
            con.close()

    def env(self) -> dict[str, str]:
        """Environment for dbt's `postgres` target (profiles/profiles.yml)."""
        return {
            "LOYALTY_TARGET": "postgres",
            "LOYALTY_PG_HOST": "127.0.0.1",
            "LOYALTY_PG_PORT": str(self.port),
            "LOYALTY_PG_USER": "postgres",
            "LOYALTY_PG_PASSWORD": "",
            "LOYALTY_PG_DATABASE": self.database,
            "LOYALTY_PG_SCHEMA": "public",
        }


def load_raw(server: PostgresServer, raw_dir: Path, schema: str = "raw") -> dict[str, int]:
    """Create the raw tables with the contract's types and COPY the files into them."""
    counts = {}
    con = server.connect()
    try:
        with con.cursor() as cur:
            cur.execute(f"drop schema if exists {schema} cascade; create schema {schema}")
            for table in RAW_TABLES:
                columns = ", ".join(f"{c.name} {_PG_TYPES[c.sql_type]}" for c in table.columns)
                cur.execute(f"create table {schema}.{table.name} ({columns})")
                path = raw_dir / f"{table.name}.parquet"
                if not path.exists():
                    continue
                buffer = io.BytesIO()
                pacsv.write_csv(pq.read_table(path), buffer)
                buffer.seek(0)
                cur.copy_expert(f"copy {schema}.{table.name} from stdin with (format csv, header true)", buffer)
                counts[table.name] = cur.rowcount
        con.commit()
    finally:
        con.close()
    return counts


def main(argv: list[str] | None = None) -> None:
    """Load a raw folder into an existing PostgreSQL database (settings from LOYALTY_PG_*)."""
    import argparse

    from .. import paths

    parser = argparse.ArgumentParser(
        prog="python -m loyalty_warehouse.engines.postgres",
        description="Load the raw Parquet files into schema `raw` of the PostgreSQL database named by "
        "LOYALTY_PG_HOST/PORT/USER/PASSWORD/DATABASE, ready for `LOYALTY_TARGET=postgres dbt build`.",
    )
    parser.add_argument("--raw-dir", type=Path, default=paths.DEFAULT_RAW_DIR)
    args = parser.parse_args(argv)

    class _Existing(PostgresServer):
        def __post_init__(self) -> None:  # an already running server: nothing to start
            pass

        def connect(self, database: str | None = None):
            import psycopg2

            return psycopg2.connect(
                host=os.environ.get("LOYALTY_PG_HOST", "127.0.0.1"),
                port=int(os.environ.get("LOYALTY_PG_PORT", "5432")),
                user=os.environ.get("LOYALTY_PG_USER", "postgres"),
                password=os.environ.get("LOYALTY_PG_PASSWORD", ""),
                dbname=database or os.environ.get("LOYALTY_PG_DATABASE", "loyalty"),
            )

    counts = load_raw(_Existing(Path(".")), args.raw_dir)
    for table, rows in counts.items():
        print(f"loaded {table}: {rows:,} rows")


if __name__ == "__main__":
    main()
