"""The PostgreSQL lane: write-audit-publish against a real server, the read-only BI role, and every
public table equal to the DuckDB build of the same data.

One throwaway server and two publishing builds, in this order:

1. a small build (300 members, as of 2024-09-30): the "old" warehouse;
2. `loyalty build --target postgres --full-refresh` of the session's 3,000-member data, as a user
   runs it, with the great-expectations gates, while a BI reader process queries a cross-schema
   invariant in a loop (tests/python/pg_reader.py); its tables are compared with DuckDB's;

then the tests below read what was published (the tests run in file order; the later ones also
start builds that must NOT publish: a killed one and one whose data test fails).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from loyalty_warehouse.engines.pg_publish import BI_SCHEMAS, BUILDING_SUFFIX, DEFAULT_BI_ROLE, build_postgres
from loyalty_warehouse.engines.postgres import PgSettings, PostgresServer, find_pg_bin, load_raw
from loyalty_warehouse.runner import BuildError, run_dbt
from pg_reader import ONE_STATEMENT, figures
from table_compare import diff_rows, duckdb_public_tables, duckdb_rows, server_rows

pytestmark = pytest.mark.postgres

FIRST_AS_OF = "2024-09-30"
# Schemas a build publishes besides the BI ones: personal data and build internals.
PRIVATE_SCHEMAS = ("raw", "quarantine", "staging", "intermediate", "snapshots", "dbt_test__audit")
READER = Path(__file__).with_name("pg_reader.py")

BUILD_SCRIPT = """
import json, sys
from pathlib import Path
from loyalty_warehouse.engines.pg_publish import build_postgres
from loyalty_warehouse.engines.postgres import PgSettings
settings = PgSettings(**json.loads(sys.argv[1]))
build_postgres(Path(sys.argv[2]), settings, target_path=Path(sys.argv[3]), progress=print, gates=False)
"""


@pytest.fixture(scope="module")
def server():
    if find_pg_bin() is None:
        pytest.fail(
            "PostgreSQL server binaries not found: the PostgreSQL lane needs Debian's package "
            "(apt-get install -y postgresql); `make test` installs it when run as root"
        )
    # The server runs as the postgres user, who cannot enter pytest's private temp folder.
    server_dir = Path(tempfile.mkdtemp(prefix="loyalty-pg-"))
    with PostgresServer(server_dir) as running:
        yield running
    shutil.rmtree(server_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("postgres")


@pytest.fixture(scope="module")
def tiny_raw(work: Path) -> Path:
    """300 members, for the builds that must not publish and for freshness (their size does not matter)."""
    from loyalty_warehouse.generator import GeneratorConfig, generate

    generate(GeneratorConfig(members=300, seed=13), work / "tiny_raw")
    return work / "tiny_raw"


def _invariant(settings: PgSettings) -> dict:
    con = settings.connect()
    try:
        with con.cursor() as cur:
            cur.execute(ONE_STATEMENT)
            return figures(cur.fetchone())
    finally:
        con.close()


@pytest.fixture(scope="module")
def first_publish(server: PostgresServer, tiny_raw: Path, work: Path) -> dict:
    build_postgres(
        tiny_raw, server.settings, {"as_of_date": FIRST_AS_OF}, target_path=work / "target", progress=print, gates=False
    )
    return _invariant(server.settings)


def _start_reader(settings: PgSettings, stop: Path, output: Path) -> subprocess.Popen:
    # to a file, not a pipe: nobody drains a pipe during the build, and a full pipe would stall the reader
    with output.open("w") as sink:
        return subprocess.Popen(
            [
                sys.executable,
                str(READER),
                settings.host,
                str(settings.port),
                DEFAULT_BI_ROLE,
                settings.database,
                str(stop),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _stop_reader(reader: subprocess.Popen, stop: Path, output: Path) -> list[dict]:
    stop.touch()
    reader.wait(timeout=60)
    text = output.read_text()
    reads = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert reads, f"the reader printed no reads: {text[-2000:]}"
    return reads


def _cli_env(settings: PgSettings, work: Path) -> dict[str, str]:
    """What a user exports for `loyalty build --target postgres`, plus where this test wants the artifacts."""
    exported = {k: v for k, v in settings.dbt_env().items() if k.startswith("LOYALTY_PG_") and k != "LOYALTY_PG_SCHEMA"}
    return (
        os.environ
        | exported
        | {"LOYALTY_WAREHOUSE_PATH": str(work / "wh" / "loyalty.duckdb"), "DBT_TARGET_PATH": str(work / "target")}
    )


LOYALTY = Path(sys.executable).with_name("loyalty")


@pytest.fixture(scope="module")
def second_publish(server: PostgresServer, small_raw: Path, work: Path, first_publish: dict) -> dict:
    """`loyalty build --target postgres` as a user runs it, while the BI reader queries in a loop."""
    stop, output = work / "stop_reader", work / "reads.jsonl"
    reader = _start_reader(server.settings, stop, output)
    log: list[tuple[float, str]] = []
    try:
        time.sleep(2)  # reads of the first build before the second starts
        # other data than the first build: --full-refresh, so the incremental models do not continue from it
        build = subprocess.Popen(
            [str(LOYALTY), "build", "--target", "postgres", "--full-refresh", "--raw-dir", str(small_raw)],
            env=_cli_env(server.settings, work),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        assert build.stderr is not None
        for line in build.stderr:  # progress, timed as it arrives
            log.append((time.time(), line.rstrip("\n")))
            print(line, end="")
        headline = build.stdout.read() if build.stdout else ""
        assert build.wait() == 0, "\n".join(line for _, line in log[-30:])
        time.sleep(2)  # reads of the newly published build
    finally:
        reads = _stop_reader(reader, stop, output)
    publish_started = next(t for t, line in log if line.startswith("publishing "))
    publish_ended = next(t for t, line in log if line.startswith("published "))
    return {
        "reads": reads,
        "log": [line for _, line in log],
        "headline": headline,
        "first": first_publish,
        "second": _invariant(server.settings),
        "publish_window": (publish_started, publish_ended),
    }


def _postgres_rows(settings: PgSettings, table: str, columns: list[str]):
    con = settings.connect()
    try:
        return server_rows(con, table, columns)
    finally:
        con.close()


# --------------------------------------------------------------------------- what was published


def test_every_public_table_equals_duckdb(second_publish: dict, server: PostgresServer, built_warehouse: Path) -> None:
    tables = duckdb_public_tables(built_warehouse, include_duckdb_only=False)
    assert len(tables) >= 15, sorted(tables)
    diffs = []
    for table, columns in tables.items():
        diff = diff_rows(
            table, duckdb_rows(built_warehouse, table, columns), _postgres_rows(server.settings, table, columns)
        )
        print(f"{table:50} {diff.rows_left:>8} rows  duckdb {diff.fingerprint_left}  postgres {diff.fingerprint_right}")
        if not diff.equal:
            diffs.append(diff)
    assert not diffs, "tables differ between DuckDB and PostgreSQL:\n" + "\n".join(d.describe() for d in diffs)


def test_comparison_ignores_representation_but_not_values() -> None:
    import decimal

    from table_compare import normalise_rows

    left = normalise_rows([("M1", decimal.Decimal("600.00"), 3, True), ("M2", None, 0, False)])
    same = normalise_rows([("M2", None, 0.0, False), ("M1", 600.0, 3, True)])
    changed = normalise_rows([("M1", decimal.Decimal("600.01"), 3, True), ("M2", None, 0, False)])
    assert diff_rows("t", left, same).equal
    diff = diff_rows("t", left, changed)
    assert not diff.equal and diff.only_left == [left[0]] and diff.only_right == [changed[0]]


def test_cli_build_prints_the_published_warehouse(second_publish: dict, server: PostgresServer) -> None:
    headline = second_publish["headline"]
    assert f"warehouse: {server.settings.url()}" in headline
    assert "as of 2024-12-31: 3,000 members" in headline and "customer_value.fct_member_rfm" in headline
    assert f"psql -h 127.0.0.1 -p {server.settings.port} -U {DEFAULT_BI_ROLE}" in headline


def test_cli_validate_runs_both_gates_on_the_published_warehouse(
    second_publish: dict, server: PostgresServer, small_raw: Path, work: Path
) -> None:
    proc = subprocess.run(
        [
            str(LOYALTY),
            "validate",
            "--target",
            "postgres",
            "--raw-dir",
            str(small_raw),
            "--docs-dir",
            str(work / "validate_docs"),
        ],
        env=_cli_env(server.settings, work),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert "raw gate: passed" in proc.stderr and "marts gate: passed" in proc.stderr
    assert (work / "validate_docs" / "index.html").exists()


def test_mart_gate_reads_postgres_and_fails_on_a_bad_share(second_publish: dict, server: PostgresServer) -> None:
    """The gate on a copy of the published marts passes; with 5 % of the orders quarantined it fails."""
    from loyalty_warehouse.engines.pg_publish import check_marts

    suffix = "__gatecheck"
    tables = [
        "member_facts.dim_members",
        "member_facts.fct_members",
        "member_facts.fct_orders",
        "customer_value.fct_member_rfm",
        "quarantine.qrn_raw__members",
        "quarantine.qrn_raw__orders",
        "quarantine.qrn_raw__interactions",
    ]
    for table in tables:
        schema, name = table.split(".")
        server.execute(
            f"create schema if not exists {schema}{suffix}; "
            f"create table {schema}{suffix}.{name} as select * from {table}"
        )
    try:
        assert check_marts(server.settings, suffix).success
        server.execute(
            f"update quarantine{suffix}.qrn_raw__orders set quarantine_reason = 'planted' "
            "where abs(hashtext(order_id)) % 20 = 0"
        )
        result = check_marts(server.settings, suffix)
        assert not result.success and any("qrn_raw__orders" in failure for failure in result.failed), result.failed
    finally:
        server.execute(f"drop schema member_facts{suffix}, customer_value{suffix}, quarantine{suffix} cascade")


def test_the_two_builds_differ_so_a_mix_would_show(second_publish: dict) -> None:
    first, second = second_publish["first"], second_publish["second"]
    assert first["consistent"] and second["consistent"], (first, second)
    assert first["dates"] == [FIRST_AS_OF] and second["dates"] != first["dates"]
    assert first["counts"][0] != second["counts"][0]
    # a read taking the segments of one build and the member tables of the other fails the check
    mixed = figures(
        (
            first["counts"][0],
            FIRST_AS_OF,
            FIRST_AS_OF,
            second["counts"][1],
            *second["dates"] * 2,
            second["counts"][2],
            *second["dates"] * 2,
        )
    )
    assert not mixed["consistent"]


def test_reader_saw_the_old_then_the_new_warehouse_never_a_mix_or_an_error(second_publish: dict) -> None:
    reads = second_publish["reads"]
    errors = [r["error"] for r in reads if "error" in r]
    assert not errors, errors[:3]
    mixed = [r for r in reads if not r["consistent"]]
    assert not mixed, mixed[:3]
    states = [(tuple(r["counts"]), tuple(r["dates"])) for r in reads]
    first = (tuple(second_publish["first"]["counts"]), tuple(second_publish["first"]["dates"]))
    second = (tuple(second_publish["second"]["counts"]), tuple(second_publish["second"]["dates"]))
    switches = [i for i in range(1, len(states)) if states[i] != states[i - 1]]
    assert states[0] == first and states[-1] == second and len(switches) == 1, (states[0], states[-1], switches)
    start, end = second_publish["publish_window"]
    around = [r for r in reads if start - 0.5 <= r["started"] <= end + 0.5]
    slowest = max(r["seconds"] for r in reads)
    print(
        f"{len(reads)} reads, {len(around)} within 0.5 s of the publish ({end - start:.2f} s); slowest read "
        f"{slowest:.2f} s"
    )
    assert len(reads) > 100 and len(around) >= 5


def test_snapshot_kept_the_history_of_both_builds(second_publish: dict, server: PostgresServer) -> None:
    """A full refresh rebuilds the incremental models but continues the snapshot (dbt never refreshes one)."""
    log = "\n".join(second_publish["log"])
    assert "continuing from the published snapshots.snap_member_tiers" in log
    assert "continuing from the published intermediate.int_orders_sequenced" not in log
    rows = server.execute("select distinct cast(as_of_date as text) from snapshots.snap_member_tiers order by 1")
    assert [row[0] for row in rows] == [FIRST_AS_OF, second_publish["second"]["dates"][0]]


def test_nothing_is_left_in_building_schemas_or_in_public(second_publish: dict, server: PostgresServer) -> None:
    leftovers = server.execute(
        "select nspname from pg_namespace where nspname like '%\\_\\_building' or nspname like '%\\_\\_previous'"
    )
    assert not leftovers
    assert server.execute(
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind in ('r', 'v')"
    ) == [(0,)]


# --------------------------------------------------------------------------- the read-only BI role


def _bi_connection(settings: PgSettings):
    con = settings.connect(user=DEFAULT_BI_ROLE)
    con.autocommit = True
    return con


def _relations(server: PostgresServer, schema: str) -> list[str]:
    rows = server.execute(
        "select quote_ident(n.nspname) || '.' || quote_ident(c.relname) from pg_class c "
        f"join pg_namespace n on n.oid = c.relnamespace where n.nspname = '{schema}' and c.relkind in ('r', "
        "'v') order by 1"
    )
    return [row[0] for row in rows]


def test_bi_role_reads_every_public_table(second_publish: dict, server: PostgresServer) -> None:
    con = _bi_connection(server.settings)
    try:
        read = {}
        with con.cursor() as cur:
            for schema in BI_SCHEMAS:
                tables = _relations(server, schema)
                assert tables, f"nothing published in {schema}"
                for table in tables:
                    cur.execute(f"select count(*) from {table}")
                    read[table] = cur.fetchone()[0]
    finally:
        con.close()
    print(f"{DEFAULT_BI_ROLE} read {len(read)} tables in {', '.join(BI_SCHEMAS)}")
    assert len(read) >= 35 and "reference.ref_enums" in read and read["customer_value.fct_member_rfm"] > 0


@pytest.mark.parametrize("schema", PRIVATE_SCHEMAS)
def test_bi_role_is_refused_every_other_schema(second_publish: dict, server: PostgresServer, schema: str) -> None:
    tables = _relations(server, schema)
    assert tables, f"nothing published in {schema}"
    con = _bi_connection(server.settings)
    try:
        with con.cursor() as cur:
            for table in tables:
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cur.execute(f"select * from {table} limit 1")
    finally:
        con.close()


WRITES = {
    "create a table in public": "create table public.bi_scratch (x int)",
    "create a table in a mart schema": "create table customer_value.bi_scratch (x int)",
    "create a schema": "create schema bi_scratch",
    "insert": "insert into customer_value.rpt_rfm_segments select * from customer_value.rpt_rfm_segments limit 1",
    "update": "update customer_value.rpt_rfm_segments set members = 0",
    "delete": "delete from member_facts.fct_members",
    "truncate": "truncate member_facts.fct_members",
    "drop": "drop table customer_value.fct_member_rfm",
    "alter": "alter table customer_value.fct_member_rfm add column bi_note text",
    "create a view in a mart schema": "create view koc.bi_scratch as select 1 as x",
}


@pytest.mark.parametrize("what", sorted(WRITES))
def test_bi_role_cannot_create_or_write(second_publish: dict, server: PostgresServer, what: str) -> None:
    con = _bi_connection(server.settings)
    try:
        with con.cursor() as cur:
            # by default its sessions are read-only ...
            with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
                cur.execute(WRITES[what])
            # ... and switching that off does not help: it has no privilege to write
            cur.execute("set default_transaction_read_only = off")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(WRITES[what])
    finally:
        con.close()


# --------------------------------------------------------------------------- builds that must not publish


def _table_digest(server: PostgresServer, table: str) -> tuple:
    return server.execute(
        f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {table} as t"
    )[0]


def _published_state(server: PostgresServer) -> dict[str, tuple]:
    """{schema.table: (oid, rows, md5 of every row)} for every table of the published schemas."""
    state = {}
    for schema in (*BI_SCHEMAS, *PRIVATE_SCHEMAS):
        for oid, table, kind in server.execute(
            "select c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind from pg_class c "
            f"join pg_namespace n on n.oid = c.relnamespace where n.nspname = '{schema}' and c.relkind in ('r', 'v')"
        ):
            if kind == "v":
                state[table] = (oid,)
                continue
            state[table] = (oid, *_table_digest(server, table))
    return state


@pytest.fixture(scope="module")
def published_state(second_publish: dict, server: PostgresServer) -> dict[str, tuple]:
    return _published_state(server)


def test_a_second_build_at_the_same_time_is_refused(
    second_publish: dict, server: PostgresServer, tiny_raw: Path, work: Path
) -> None:
    from loyalty_warehouse.engines.pg_publish import BUILD_LOCK_KEY

    con = server.connect()
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute("select pg_advisory_lock(%s)", (BUILD_LOCK_KEY,))
        with pytest.raises(BuildError, match="another loyalty build is running"):
            build_postgres(tiny_raw, server.settings, target_path=work / "target", gates=False)
    finally:
        con.close()


def test_killed_build_leaves_every_public_table_unchanged(
    published_state: dict, server: PostgresServer, tiny_raw: Path, work: Path
) -> None:
    settings = json.dumps(
        {"host": server.settings.host, "port": server.settings.port, "database": server.settings.database}
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, settings, str(tiny_raw), str(work / "target")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        created = 0
        for line in proc.stdout:  # let dbt write a good part of the __building schemas, then kill it all
            created += " OK created " in line
            if created >= 10:
                break
        assert proc.poll() is None, "the build ended before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    time.sleep(1)  # the server notices the dropped connections
    assert server.execute(f"select count(*) from pg_namespace where nspname like '%{BUILDING_SUFFIX}'")[0][0] > 5
    assert _published_state(server) == published_state


def test_failed_data_test_leaves_every_public_table_unchanged(
    published_state: dict, server: PostgresServer, tiny_raw: Path, work: Path
) -> None:
    """Also the first build after the killed one: it clears its leftovers (and gets the build lock)."""
    lines: list[str] = []
    with pytest.raises(BuildError, match="Nothing was published") as failure:
        # a "first valid date" after the data quarantines every row, so no order sets the as-of date
        # and the data test "as_of_date is not null" fails
        build_postgres(
            tiny_raw,
            server.settings,
            {"dq_earliest_valid_date": "2030-01-01"},
            target_path=work / "target",
            progress=lines.append,
            gates=False,
        )
    output = "\n".join(lines)
    assert "dropping schemas left by an earlier build" in output
    # the build continued from exact copies of the published incremental tables and snapshot
    # (fct_orders is a view over intermediate.int_orders_sequenced, the incremental table of orders)
    for table in ("intermediate.int_orders_sequenced", "member_facts.fct_interactions", "snapshots.snap_member_tiers"):
        assert f"continuing from the published {table}" in output
    schema, name = "snapshots", "snap_member_tiers"  # downstream of the failing test: still the copy
    assert _table_digest(server, f"{schema}{BUILDING_SUFFIX}.{name}") == _table_digest(server, f"{schema}.{name}")
    assert "FAIL 1 expression_is_true_int_as_of_date_as_of_date_is_not_null" in output
    assert "__building schemas" in str(failure.value)
    assert _published_state(server) == published_state
    # the failed build stays for inspection
    assert server.execute(
        "select count(*) from dbt_test__audit__building.expression_is_true_int_as_of_date_as_of_date_is_not_null"
    ) == [(1,)]


# --------------------------------------------------------------------------- source freshness


def test_source_freshness_reads_the_load_log(
    server: PostgresServer, tiny_raw: Path, work: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(tiny_raw, raw)
    now, day = time.time(), 86_400
    # members fresh, orders 2 days old (warn after 1 day), interactions 4 days old (error after 3)
    for name, age in (("raw_members", 0), ("raw_orders", 2), ("raw_interactions", 4)):
        os.utime(raw / f"{name}.parquet", (now - age * day, now - age * day))
    settings = PgSettings(port=server.settings.port, database="freshness")
    server.execute("create database freshness", database="postgres", autocommit=True)
    load_raw(settings, raw)
    logged = dict(server.execute("select table_name, file_modified_at from raw.loyalty_load_log", database="freshness"))
    expected = dt.datetime.fromtimestamp(now - 2 * day, dt.UTC)
    assert abs((logged["raw_orders"] - expected).total_seconds()) < 1
    lines: list[str] = []
    with pytest.raises(BuildError):  # an error-stale source fails the command
        run_dbt(
            ["source", "freshness"],
            tmp_path / "unused.duckdb",
            target_path=work / "target",
            progress=lines.append,
            extra_env=settings.dbt_env(),
        )
    output = "\n".join(lines)
    assert "PASS freshness of raw.raw_members" in output
    assert "WARN freshness of raw.raw_orders" in output
    assert "ERROR STALE freshness of raw.raw_interactions" in output
