"""PostgreSQL: connection settings, local servers, loading the raw files, and swapping schemas in.

- ``PgSettings`` reads the documented environment variables (``LOYALTY_PG_HOST``, ``_PORT``,
  ``_USER``, ``_PASSWORD``, ``_DATABASE``), the same ones the ``postgres`` target in
  ``profiles/profiles.yml`` uses.
- ``LocalServer`` is a persistent server in a folder of the user's choice for users who have no
  PostgreSQL (``loyalty postgres start`` / ``stop``); ``PostgresServer`` is a throwaway one for the
  tests. Both run Debian's PostgreSQL on 127.0.0.1 only, as the ``postgres`` user when started by root
  (initdb and the server refuse to run as root).
- ``load_raw`` checks a raw folder with the preflight (CSV or Parquet, the same errors as the DuckDB
  build), loads it into a new schema and swaps that in for ``raw`` in one transaction, so a bad
  folder never costs the data already loaded.
- ``swap_in`` is that one-transaction swap, used for the raw schema and for publishing a build.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..contract import RAW_TABLES, RawTable
from ..preflight import PreflightResult, check_raw_dir

Progress = Callable[[str], None]

RAW_SCHEMA = "raw"
# One row per raw table per load: where it came from, the file's modification time (what source
# freshness reads on every engine) and when it was loaded.
LOAD_LOG_TABLE = "loyalty_load_log"
LOADING_SUFFIX = "__loading"
PREVIOUS_SUFFIX = "__previous"
# How long one attempt of the swap may wait for readers' locks. Below PostgreSQL's default
# deadlock_timeout (1 s), so a reader waiting on the swap never runs into a deadlock error:
# the swap gives up first, releases its locks and tries again.
SWAP_LOCK_WAIT = "500ms"
SWAP_RETRY_SECONDS = float(os.environ.get("LOYALTY_PG_PUBLISH_WAIT_SECONDS", "120"))

_PG_TYPES = {
    "varchar": "text",
    "timestamp": "timestamp",
    "double": "double precision",
    "bigint": "bigint",
    "boolean": "boolean",
}


class PgConnectionError(Exception):
    """The PostgreSQL server cannot be reached; the message says where we tried and what to do."""


class PublishError(Exception):
    """The swap could not get its locks in time; nothing was swapped."""


def _quiet(_line: str) -> None:
    return None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------- connection settings


@dataclass(frozen=True)
class PgSettings:
    """Where the warehouse database is and who connects (the postgres target's settings)."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    database: str = "loyalty"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PgSettings:
        env = os.environ if env is None else env
        port = env.get("LOYALTY_PG_PORT", "5432")
        if not port.isdigit():
            raise PgConnectionError(f"LOYALTY_PG_PORT is {port!r}; set it to the server's port number, e.g. 5432")
        return cls(
            host=env.get("LOYALTY_PG_HOST", "127.0.0.1"),
            port=int(port),
            user=env.get("LOYALTY_PG_USER", "postgres"),
            password=env.get("LOYALTY_PG_PASSWORD", ""),
            database=env.get("LOYALTY_PG_DATABASE", "loyalty"),
        )

    def url(self) -> str:
        """postgresql://user@host:port/database (never the password)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def connect(self, *, user: str | None = None, password: str | None = None, database: str | None = None):
        import psycopg2

        try:
            return psycopg2.connect(
                host=self.host,
                port=self.port,
                user=user or self.user,
                password=self.password if password is None else password,
                dbname=database or self.database,
                application_name="loyalty-warehouse",
                connect_timeout=10,
            )
        except psycopg2.OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PgConnectionError(
                f"cannot connect to {self.url()} as {user or self.user}: {reason}. Start a local server with "
                "`loyalty postgres start` and export the variables it prints, or set LOYALTY_PG_HOST, "
                "LOYALTY_PG_PORT, LOYALTY_PG_USER, LOYALTY_PG_PASSWORD and LOYALTY_PG_DATABASE"
            ) from exc

    def dbt_env(self) -> dict[str, str]:
        """Environment for dbt's `postgres` target (profiles/profiles.yml)."""
        return {
            "LOYALTY_TARGET": "postgres",
            "LOYALTY_PG_HOST": self.host,
            "LOYALTY_PG_PORT": str(self.port),
            "LOYALTY_PG_USER": self.user,
            "LOYALTY_PG_PASSWORD": self.password,
            "LOYALTY_PG_DATABASE": self.database,
            "LOYALTY_PG_SCHEMA": "public",
        }

    def exports(self, extra: Mapping[str, str] | None = None) -> str:
        """Shell lines that export these settings (for `eval "$(loyalty postgres start)"`)."""
        values = {
            key: value
            for key, value in self.dbt_env().items()
            if key.startswith("LOYALTY_PG_") and key != "LOYALTY_PG_SCHEMA"
        }
        values.update(extra or {})
        return "\n".join(f"export {key}={_shell_quote(value)}" for key, value in values.items())


def _shell_quote(value: str) -> str:
    if value and all(ch.isalnum() or ch in "._-/:@" for ch in value):
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def find_pg_bin() -> Path | None:
    """Directory of Debian's PostgreSQL server binaries, newest version first."""
    root = Path("/usr/lib/postgresql")
    if not root.is_dir():
        return None
    for version in sorted(root.iterdir(), key=lambda p: p.name, reverse=True):
        if (version / "bin" / "pg_ctl").exists():
            return version / "bin"
    return None


def _require_pg_bin() -> Path:
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise RuntimeError(
            "PostgreSQL server binaries not found; install Debian's package with scripts/ensure_postgres.sh "
            "(as root) or `sudo apt-get install -y postgresql`"
        )
    return pg_bin


class _Cluster:
    """A PostgreSQL data directory under ``workdir`` and the server running on it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pg_bin = _require_pg_bin()
        self.data_dir = workdir / "data"
        self.socket_dir = workdir / "sock"
        self.log_file = workdir / "server.log"

    @staticmethod
    def _as_postgres(args: list[str]) -> list[str]:
        # initdb and the server refuse to run as root; run them as the postgres user then.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(self._as_postgres(args), stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if check and proc.returncode != 0:
            detail = proc.stderr.strip() or proc.stdout.strip()
            raise RuntimeError(f"{Path(args[0]).name} failed (exit {proc.returncode}): {detail}; see {self.log_file}")
        return proc

    def _give_to_postgres(self, *folders: Path) -> None:
        if os.geteuid() != 0:
            return
        for folder in folders:
            shutil.chown(folder, "postgres", "postgres")

    def _check_reachable(self) -> None:
        """As root the server runs as `postgres`, who must be able to enter every parent folder."""
        if os.geteuid() != 0:
            return
        proc = subprocess.run(
            ["runuser", "-u", "postgres", "--", "test", "-x", str(self.workdir.parent)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"the postgres user cannot enter {self.workdir.parent}; choose a --dir whose parent folders are "
                "readable by others (e.g. under /var/tmp) or `chmod o+x` them"
            )

    def init(self, port: int, *, password: str | None, fsync: bool = True) -> None:
        """initdb: superuser `postgres`, password auth on 127.0.0.1 (trust when ``password`` is None)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._check_reachable()
        for folder in (self.data_dir, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
        self._give_to_postgres(self.workdir, self.data_dir, self.socket_dir)
        args = [
            str(self.pg_bin / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--auth-local=trust",
        ]
        password_file = None
        if password is None:
            args.append("--auth-host=trust")
        else:
            password_file = self.workdir / "initdb.pw"
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            self._give_to_postgres(password_file)
            args += ["--auth-host=scram-sha-256", f"--pwfile={password_file}"]
        try:
            self._run(args)
        finally:
            if password_file is not None:
                password_file.unlink(missing_ok=True)
        settings = [
            "listen_addresses = '127.0.0.1'",
            f"port = {port}",
            f"unix_socket_directories = '{self.socket_dir}'",
            "timezone = 'UTC'",
        ]
        if not fsync:
            settings.append("fsync = off")  # throwaway test servers only
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# loyalty-warehouse\n" + "\n".join(settings) + "\n")

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        return self._run([str(self.pg_bin / "pg_ctl"), "-D", str(self.data_dir), "status"], check=False).returncode == 0

    def start(self) -> None:
        if os.geteuid() == 0 and not self.log_file.exists():
            self.log_file.touch()
            self._give_to_postgres(self.log_file)
        self._run(
            [str(self.pg_bin / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60", "start"]
        )

    def stop(self) -> None:
        self._run([str(self.pg_bin / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])


def _wait_ready(settings: PgSettings, log_file: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            settings.connect(database="postgres").close()
            return
        except PgConnectionError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not accept connections; see {log_file}") from None
            time.sleep(0.2)


def create_database(settings: PgSettings) -> bool:
    """Create ``settings.database`` if it does not exist; True when it was created."""
    con = settings.connect(database="postgres")
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (settings.database,))
            if cur.fetchone():
                return False
            cur.execute(f"create database {quote_ident(settings.database)}")
            return True
    finally:
        con.close()


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL server for the duration of a `with` block (the tests' server)."""

    workdir: Path
    port: int = 0  # 0 = any free port
    database: str = "loyalty"

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self.cluster = _Cluster(self.workdir)
        self.settings = PgSettings(port=self.port, database=self.database)

    def __enter__(self) -> PostgresServer:
        self.cluster.init(self.port, password=None, fsync=False)
        self.cluster.start()
        _wait_ready(self.settings, self.cluster.log_file)
        create_database(self.settings)
        return self

    def __exit__(self, *exc: object) -> None:
        self.cluster.stop()

    def connect(self, database: str | None = None, user: str | None = None):
        return self.settings.connect(database=database, user=user)

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
        return self.settings.dbt_env()


@dataclass
class LocalServer:
    """A persistent local PostgreSQL server in ``workdir`` (``loyalty postgres start`` / ``stop``).

    The first start creates the cluster with a generated password for the ``postgres`` superuser and
    one for the read-only BI role, kept in ``workdir/server.json`` (readable by its owner only).
    """

    workdir: Path

    def __post_init__(self) -> None:
        self.workdir = self.workdir.resolve()
        self.cluster = _Cluster(self.workdir)
        self.state_file = self.workdir / "server.json"

    def _state(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def settings(self) -> PgSettings:
        state = self._state()
        if not state:
            raise RuntimeError(
                f"no server in {self.workdir}; start one with `loyalty postgres start --dir {self.workdir}`"
            )
        return PgSettings(port=state["port"], user="postgres", password=state["password"], database=state["database"])

    def exports(self) -> str:
        return self.settings().exports({"LOYALTY_PG_BI_PASSWORD": self._state()["bi_password"]})

    def start(self, port: int = 5432, database: str = "loyalty", progress: Progress = _quiet) -> PgSettings:
        if not self.cluster.is_initialised():
            if port_in_use(port):
                raise RuntimeError(
                    f"port {port} on 127.0.0.1 is in use (another PostgreSQL?); choose another with --port"
                )
            state = {
                "port": port,
                "database": database,
                "password": secrets.token_urlsafe(18),
                "bi_password": secrets.token_urlsafe(18),
            }
            progress(f"creating a PostgreSQL cluster in {self.cluster.data_dir}")
            self.cluster.init(port, password=state["password"])
            self.state_file.write_text(json.dumps(state, indent=2) + "\n")
            self.state_file.chmod(0o600)
        if self.cluster.is_running():
            progress(f"PostgreSQL is already running from {self.cluster.data_dir}")
        else:
            progress(f"starting PostgreSQL on 127.0.0.1:{self._state()['port']} (log: {self.cluster.log_file})")
            self.cluster.start()
        settings = self.settings()
        _wait_ready(settings, self.cluster.log_file)
        if create_database(settings):
            progress(f"created database {settings.database}")
        return settings

    def stop(self, progress: Progress = _quiet) -> None:
        if not self.cluster.is_running():
            progress(f"no PostgreSQL running from {self.cluster.data_dir}")
            return
        self.cluster.stop()
        progress(f"stopped PostgreSQL ({self.cluster.data_dir} kept; `loyalty postgres start` starts it again)")


# --------------------------------------------------------------------------- loading the raw files


@dataclass
class RawLoad:
    """What a raw load did: rows per table (placeholders for missing optional tables included)."""

    schema: str
    rows: dict[str, int] = field(default_factory=dict)
    preflight: PreflightResult | None = None


def typed_file_select(path: str, table: RawTable) -> str:
    """DuckDB SQL reading ``path`` as the contract's columns and types (extra columns left out).

    CSV is read as text and cast, so ids keep their leading zeros; preflight has already proved
    that every non-blank value casts.
    """
    if path.endswith(".csv"):
        reader = f"read_csv('{path}', header = true, all_varchar = true)"
        columns = [
            f'"{col.name}"'
            if col.sql_type == "varchar"
            else f"cast(nullif(trim(\"{col.name}\"), '') as {col.sql_type})"
            for col in table.columns
        ]
    else:
        reader = f"read_parquet('{path}')"
        columns = [f'cast("{col.name}" as {col.sql_type})' for col in table.columns]
    return (
        "select "
        + ", ".join(f'{expr} as "{col.name}"' for expr, col in zip(columns, table.columns, strict=False))
        + f" from {reader}"
    )


def _csv_batches(path: str, table: RawTable, batch_rows: int = 250_000) -> Iterator[io.BytesIO]:
    """The file's rows as CSV chunks for COPY, read through DuckDB (Parquet or CSV alike)."""
    import duckdb
    import pyarrow as pa
    import pyarrow.csv as pacsv

    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")  # time-zone-aware Parquet timestamps convert to UTC, not local time
        reader = con.execute(typed_file_select(path, table)).to_arrow_reader(batch_rows)
        for batch in reader:
            buffer = io.BytesIO()
            pacsv.write_csv(pa.Table.from_batches([batch]), buffer, pacsv.WriteOptions(include_header=False))
            buffer.seek(0)
            yield buffer
    finally:
        con.close()


def load_raw_schema(con, pre: PreflightResult, schema: str, progress: Progress = _quiet) -> dict[str, int]:
    """(Re)create ``schema`` with the contract's raw tables and the load log, and COPY the files in.

    Only for a schema nobody reads (``raw__loading``, ``raw__building``): it is dropped first.
    Commits on success; rolls back on any error.
    """
    rows: dict[str, int] = {}
    loaded_at = dt.datetime.now(dt.UTC)
    log = []
    try:
        with con.cursor() as cur:
            cur.execute(f"drop schema if exists {quote_ident(schema)} cascade")
            cur.execute(f"create schema {quote_ident(schema)}")
            for table in RAW_TABLES:
                location = pre.locations[table.name]
                target = f"{quote_ident(schema)}.{quote_ident(table.name)}"
                columns = ", ".join(f"{quote_ident(c.name)} {_PG_TYPES[c.sql_type]}" for c in table.columns)
                cur.execute(f"create table {target} ({columns})")
                count = 0
                for chunk in _csv_batches(location, table):
                    cur.copy_expert(f"copy {target} from stdin with (format csv)", chunk)
                    count += cur.rowcount
                rows[table.name] = count
                cur.execute(f"analyze {target}")  # planner statistics before the quarantine models read it
                placeholder = table.name in pre.placeholders
                modified = None if placeholder else dt.datetime.fromtimestamp(Path(location).stat().st_mtime, dt.UTC)
                log.append((table.name, None if placeholder else location, modified, loaded_at, count))
                progress(
                    f"  loaded {table.name}: {count:,} rows"
                    + (" (optional table absent: empty)" if placeholder else "")
                )
            cur.execute(
                f"create table {quote_ident(schema)}.{LOAD_LOG_TABLE} (table_name text not null, source_file text, "
                "file_modified_at timestamptz, loaded_at timestamptz not null, row_count bigint not null)"
            )
            cur.executemany(f"insert into {quote_ident(schema)}.{LOAD_LOG_TABLE} values (%s, %s, %s, %s, %s)", log)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return rows


def load_raw(settings: PgSettings, raw_dir: Path, schema: str = RAW_SCHEMA, progress: Progress = _quiet) -> RawLoad:
    """Check ``raw_dir`` and replace schema ``schema`` with its files, atomically.

    The files go into ``<schema>__loading`` first; only when every table is loaded is it swapped in
    for ``schema`` in one transaction. A missing or empty folder, a bad file or a lost connection
    leaves ``schema`` as it was. Raises RawDataError (preflight) or PgConnectionError.
    """
    with tempfile.TemporaryDirectory(prefix="loyalty-placeholders-") as placeholders:
        pre = check_raw_dir(raw_dir.resolve(), Path(placeholders))
        con = settings.connect()
        try:
            loading = schema + LOADING_SUFFIX
            progress(f"loading {raw_dir} into {settings.url()} schema {loading}")
            rows = load_raw_schema(con, pre, loading, progress)
            swap_in(con, {loading: schema}, progress=progress)
            progress(f"schema {schema} replaced in one transaction")
        finally:
            con.close()
    return RawLoad(schema=schema, rows=rows, preflight=pre)


# --------------------------------------------------------------------------- the one-transaction swap


def _existing_schemas(cur, names: list[str]) -> set[str]:
    cur.execute("select nspname from pg_namespace where nspname = any(%s)", (names,))
    return {row[0] for row in cur.fetchall()}


def _relations_in(cur, schemas: list[str]) -> list[str]:
    cur.execute(
        "select quote_ident(n.nspname) || '.' || quote_ident(c.relname) from pg_class as c "
        "join pg_namespace as n on n.oid = c.relnamespace "
        "where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm', 'f') order by 1",
        (schemas,),
    )
    return [row[0] for row in cur.fetchall()]


def _lowered_deadlock_timeout(cur) -> None:
    """Make this session the one a deadlock aborts, not a reader (superusers only; else the lock wait
    below SWAP_LOCK_WAIT does the same job)."""
    cur.execute("savepoint before_deadlock_timeout")
    try:
        cur.execute("set local deadlock_timeout = '100ms'")
        cur.execute("release savepoint before_deadlock_timeout")
    except Exception:  # noqa: BLE001 - insufficient privilege: keep the default
        cur.execute("rollback to savepoint before_deadlock_timeout")


def _swap_once(con, renames: dict[str, str], before_commit: Callable | None) -> list[str]:
    """One attempt: lock every relation of the schemas being replaced, rename, commit."""
    with con.cursor() as cur:
        _lowered_deadlock_timeout(cur)
        public = list(renames.values())
        existing = _existing_schemas(cur, public + list(renames))
        missing = [built for built in renames if built not in existing]
        if missing:
            raise PublishError(f"cannot swap in schema(s) {', '.join(missing)}: they do not exist")
        relations = _relations_in(cur, [name for name in public if name in existing])
        if relations:
            # Readers of the old tables hold share locks until their transaction ends; taking
            # ACCESS EXCLUSIVE on all of them first means no reader transaction spans the swap,
            # and a reader that waits here re-resolves the names to the new tables afterwards.
            cur.execute(f"set local statement_timeout = '{SWAP_LOCK_WAIT}'")
            cur.execute("lock table " + ", ".join(relations) + " in access exclusive mode")
            cur.execute("set local statement_timeout = 0")
        stale = _existing_schemas(cur, [name + PREVIOUS_SUFFIX for name in public])
        for name in stale:
            cur.execute(f"drop schema {quote_ident(name)} cascade")
        replaced = []
        for built, name in renames.items():
            if name in existing:
                cur.execute(f"alter schema {quote_ident(name)} rename to {quote_ident(name + PREVIOUS_SUFFIX)}")
                replaced.append(name + PREVIOUS_SUFFIX)
            cur.execute(f"alter schema {quote_ident(built)} rename to {quote_ident(name)}")
        if before_commit is not None:
            before_commit(cur)
    con.commit()
    return replaced


def _external_dependents(cur, schemas: list[str]) -> list[str]:
    """Views outside ``schemas`` that use relations inside them (dropped with them)."""
    cur.execute(
        """
        select distinct quote_ident(dep_ns.nspname) || '.' || quote_ident(dep.relname)
        from pg_depend as d
        join pg_rewrite as r on r.oid = d.objid
        join pg_class as dep on dep.oid = r.ev_class
        join pg_namespace as dep_ns on dep_ns.oid = dep.relnamespace
        join pg_class as used on used.oid = d.refobjid
        join pg_namespace as used_ns on used_ns.oid = used.relnamespace
        where d.classid = 'pg_rewrite'::regclass and used_ns.nspname = any(%s)
          and not dep_ns.nspname = any(%s) and dep.oid <> used.oid
        order by 1
        """,
        (schemas, schemas),
    )
    return [row[0] for row in cur.fetchall()]


def drop_schemas(con, schemas: list[str], progress: Progress = _quiet) -> None:
    """Drop schemas and everything in them, together (views in one may use tables in another)."""
    if not schemas:
        return
    con.autocommit = False
    with con.cursor() as cur:
        outside = _external_dependents(cur, schemas)
        if outside:
            progress(
                f"  warning: dropping views that were built on the replaced tables: {', '.join(outside)}; "
                "recreate them on the new ones"
            )
        cur.execute("drop schema if exists " + ", ".join(quote_ident(name) for name in schemas) + " cascade")
    con.commit()


def swap_in(
    con,
    renames: dict[str, str],
    *,
    before_commit: Callable | None = None,
    progress: Progress = _quiet,
    retry_seconds: float = SWAP_RETRY_SECONDS,
) -> None:
    """Replace each schema ``renames[built]`` by ``built`` in ONE transaction, then drop the old ones.

    ``before_commit(cursor)`` runs inside that transaction after the renames (grants go there, so the
    new schemas are never visible without them). A reader sees the old schemas or the new ones, never
    a mix. When readers hold locks for longer than SWAP_LOCK_WAIT the attempt is rolled back and
    retried for up to ``retry_seconds``; then PublishError, with nothing swapped.
    """
    import psycopg2.errors

    con.autocommit = False
    deadline = time.monotonic() + retry_seconds
    attempt = 0
    while True:
        attempt += 1
        try:
            replaced = _swap_once(con, renames, before_commit)
            break
        except (
            psycopg2.errors.QueryCanceled,
            psycopg2.errors.LockNotAvailable,
            psycopg2.errors.DeadlockDetected,
        ) as exc:
            con.rollback()
            if time.monotonic() > deadline:
                raise PublishError(
                    f"could not publish after {attempt} attempts over {retry_seconds:.0f}s: readers kept the public "
                    f"tables locked ({type(exc).__name__}); nothing was swapped. Close long-running BI transactions "
                    "and try again"
                ) from exc
            if attempt in (1, 10) or attempt % 50 == 0:
                progress(f"  readers hold the public tables; retrying the swap (attempt {attempt})")
            time.sleep(0.2 + random.random() * 0.6)
        except BaseException:
            con.rollback()
            raise
    drop_schemas(con, replaced, progress)


def main(argv: list[str] | None = None) -> None:
    """Load a raw folder into schema `raw` of the database named by LOYALTY_PG_* (for plain dbt)."""
    import argparse
    import sys

    from .. import paths
    from ..preflight import RawDataError

    parser = argparse.ArgumentParser(
        prog="python -m loyalty_warehouse.engines.postgres",
        description="Check a raw folder (Parquet or CSV) and replace schema `raw` of the PostgreSQL database named "
        "by LOYALTY_PG_HOST/PORT/USER/PASSWORD/DATABASE with its files, in one transaction. "
        "`loyalty build --target postgres` does this itself; this is for plain `dbt build`.",
    )
    parser.add_argument("--raw-dir", type=Path, default=paths.DEFAULT_RAW_DIR)
    args = parser.parse_args(argv)
    try:
        load_raw(PgSettings.from_env(), args.raw_dir, progress=lambda line: print(line, file=sys.stderr))
    except (RawDataError, PgConnectionError, PublishError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
