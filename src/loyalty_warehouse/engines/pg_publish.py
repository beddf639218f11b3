"""Write-audit-publish on PostgreSQL, and the read-only BI role.

``loyalty build --target postgres`` does, against the database named by LOYALTY_PG_*:

1. check the raw folder (preflight) and run the raw great-expectations gate on the files;
2. load the files into ``raw__building``;
3. copy the published snapshot and incremental tables into their ``__building`` schemas, so the
   snapshot keeps its history and incremental models continue from what is published (with
   ``full_refresh`` the incremental models are rebuilt instead; the snapshot is still copied);
4. ``dbt build`` with ``LOYALTY_SCHEMA_SUFFIX=__building``: every model, seed, snapshot and test
   writes to ``<schema>__building`` (``macros/generate_schema_name.sql``) and the raw source reads
   ``raw__building`` (``LOYALTY_RAW_SCHEMA``), never a schema BI reads;
5. run the mart gate on the ``__building`` schemas;
6. publish: in ONE transaction lock the public tables, rename each public schema to
   ``<schema>__previous`` and each ``<schema>__building`` to ``<schema>``, and grant the BI role
   ``select`` on the public ones; commit, then drop the ``__previous`` schemas.

A failure anywhere before step 6 leaves every public schema as it was; the failed build stays in
the ``__building`` schemas for inspection until the next build clears them. One build runs at a
time per database (an advisory lock).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .. import gates as ge_gates
from .. import paths
from ..preflight import PreflightResult, check_raw_dir
from ..report import PUBLIC_SCHEMAS
from ..runner import BuildError, Progress, run_dbt
from .postgres import (
    PREVIOUS_SUFFIX,
    RAW_SCHEMA,
    PgSettings,
    drop_schemas,
    load_raw_schema,
    quote_ident,
    swap_in,
)

BUILDING_SUFFIX = "__building"
# The schemas the BI role reads. Everything else (raw, quarantine, staging, intermediate,
# snapshots, dbt_test__audit) holds member-level personal data or build internals.
BI_SCHEMAS = (*PUBLIC_SCHEMAS, "reference")
DEFAULT_BI_ROLE = "loyalty_bi"
# Any constant: pg_try_advisory_lock(key) admits one loyalty build per database at a time.
BUILD_LOCK_KEY = 740_215_001
# A BI session left idle inside a transaction holds its locks and would keep the publish waiting.
BI_IDLE_IN_TRANSACTION_TIMEOUT = "10min"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _quiet(_line: str) -> None:
    return None


def bi_role_name(env: dict[str, str] | None = None) -> str:
    name = (env if env is not None else os.environ).get("LOYALTY_PG_BI_ROLE", DEFAULT_BI_ROLE)
    if not _ROLE_NAME.match(name):
        raise BuildError(f"LOYALTY_PG_BI_ROLE is {name!r}; use lowercase letters, digits and _ (e.g. loyalty_bi)")
    return name


def default_target_path() -> Path:
    """dbt's artifacts for PostgreSQL builds (DBT_TARGET_PATH, else apart from the DuckDB ones)."""
    if os.environ.get("DBT_TARGET_PATH"):
        return Path(os.environ["DBT_TARGET_PATH"])
    return paths.PROJECT_DIR / "target" / "postgres"


def default_docs_dir() -> Path:
    return paths.DEFAULT_WAREHOUSE.parent / "data_docs_postgres"


@dataclass
class PgBuildResult:
    settings: PgSettings
    preflight: PreflightResult
    seconds: float
    published_schemas: list[str]
    bi_role: str
    data_docs: Path | None = None


# --------------------------------------------------------------------------- building blocks


class _BuildLock:
    """A session-level advisory lock held on its own connection for the whole build."""

    def __init__(self, settings: PgSettings) -> None:
        self.settings = settings
        self.con = None

    def __enter__(self) -> _BuildLock:
        self.con = self.settings.connect()
        self.con.autocommit = True
        with self.con.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(%s)", (BUILD_LOCK_KEY,))
            if not cur.fetchone()[0]:
                self.con.close()
                raise BuildError(
                    f"another loyalty build is running against {self.settings.url()}; wait for it to finish"
                )
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()  # ends the session, which releases the lock


def _schemas_with_suffix(cur, suffix: str) -> list[str]:
    cur.execute("select nspname from pg_namespace where right(nspname, %s) = %s order by 1", (len(suffix), suffix))
    return [row[0] for row in cur.fetchall()]


def drop_leftovers(con, progress: Progress = _quiet) -> None:
    """Drop the __building schemas of a failed or killed build and __previous ones a crash left."""
    with con.cursor() as cur:
        leftovers = _schemas_with_suffix(cur, BUILDING_SUFFIX) + _schemas_with_suffix(cur, PREVIOUS_SUFFIX)
    con.commit()
    if leftovers:
        progress(f"dropping schemas left by an earlier build: {', '.join(leftovers)}")
        drop_schemas(con, leftovers, progress)


def stateful_relations(manifest: Path, *, incremental_models: bool = True) -> list[tuple[str, str]]:
    """(published schema, table) of every snapshot and (unless not wanted) incremental model, from dbt's manifest."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    found = []
    for node in nodes:
        incremental = node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"
        snapshot = node["resource_type"] == "snapshot"
        if (snapshot or (incremental and incremental_models)) and node["config"].get("enabled", True):
            schema = node["schema"]
            if schema.endswith(BUILDING_SUFFIX):
                schema = schema[: -len(BUILDING_SUFFIX)]
            found.append((schema, node["alias"]))
    return sorted(found)


def clone_published(con, relations: list[tuple[str, str]], progress: Progress = _quiet) -> None:
    """Copy each published incremental table / snapshot into its __building schema (when published)."""
    with con.cursor() as cur:
        for schema, table in relations:
            cur.execute("select to_regclass(%s) is not null", (f"{quote_ident(schema)}.{quote_ident(table)}",))
            if not cur.fetchone()[0]:
                continue
            source = f"{quote_ident(schema)}.{quote_ident(table)}"
            target_schema = quote_ident(schema + BUILDING_SUFFIX)
            cur.execute(f"create schema if not exists {target_schema}")
            cur.execute(f"create table {target_schema}.{quote_ident(table)} (like {source} including all)")
            cur.execute(f"insert into {target_schema}.{quote_ident(table)} select * from {source}")
            progress(f"  continuing from the published {schema}.{table}: {cur.rowcount:,} rows copied")
    con.commit()


def _frame(cur, sql: str):
    import pandas as pd

    cur.execute(sql)
    names = [d[0] for d in cur.description]
    frame = pd.DataFrame(cur.fetchall(), columns=names)
    for name in names:  # numeric columns arrive as Decimal objects; the expectations need numbers
        if any(isinstance(value, Decimal) for value in frame[name].head(100)):
            frame[name] = frame[name].astype(float)
    return frame


def check_marts(settings: PgSettings, suffix: str = "", docs_dir: Path | None = None) -> ge_gates.GateResult:
    """The mart gate (gates.mart_checks) on the ``<schema><suffix>`` tables of the database."""
    checks = ge_gates.mart_checks()
    con = settings.connect()
    try:
        frames = {}
        with con.cursor() as cur:
            for table in dict.fromkeys(check.table for check in checks):
                schema, name = table.split(".")
                columns = sorted({c.column for c in checks if c.table == table and c.column})
                select = ", ".join(quote_ident(c) for c in columns) if columns else "1 as row_present"
                frames[table] = _frame(cur, f"select {select} from {quote_ident(schema + suffix)}.{quote_ident(name)}")
    finally:
        con.close()
    return ge_gates.validate_frames("marts", checks, frames, docs_dir)


# --------------------------------------------------------------------------- the BI role


def ensure_bi_role(con, role: str, password: str | None, progress: Progress = _quiet) -> None:
    """Create the read-only BI role if missing; make it login-only, read-only by default."""
    import psycopg2.errors

    with con.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = %s", (role,))
        exists = cur.fetchone() is not None
        try:
            if not exists:
                cur.execute(f"create role {quote_ident(role)} login nosuperuser nocreatedb nocreaterole noinherit")
                progress(f"created the read-only BI role {role}")
            cur.execute(f"alter role {quote_ident(role)} set default_transaction_read_only = on")
            cur.execute(
                f"alter role {quote_ident(role)} set idle_in_transaction_session_timeout = %s",
                (BI_IDLE_IN_TRANSACTION_TIMEOUT,),
            )
            if password:
                cur.execute(f"alter role {quote_ident(role)} password %s", (password,))
        except psycopg2.errors.InsufficientPrivilege as exc:
            con.rollback()
            if not exists:
                raise BuildError(
                    f"cannot create the BI role {role}: {str(exc).strip()}. Ask the database administrator to run "
                    f"`create role {role} login` (or set LOYALTY_PG_BI_ROLE to an existing role)"
                ) from exc
            progress(f"  note: role {role} exists but cannot be altered by {con.info.user}; using it as it is")
            return
        # PostgreSQL before 15 lets every role create tables in schema public.
        cur.execute("select has_schema_privilege(%s, 'public', 'create')", (role,))
        if cur.fetchone()[0]:
            cur.execute("revoke create on schema public from public")
            progress("  revoked create on schema public from public (PostgreSQL 15's default)")
    con.commit()


def grant_bi(cur, role: str, published: list[str]) -> None:
    """select on every table of the public schemas; nothing on the others (run at each publish)."""
    cur.execute("select current_database()")
    cur.execute(f"grant connect on database {quote_ident(cur.fetchone()[0])} to {quote_ident(role)}")
    for schema in published:
        if schema in BI_SCHEMAS:
            cur.execute(f"grant usage on schema {quote_ident(schema)} to {quote_ident(role)}")
            cur.execute(f"grant select on all tables in schema {quote_ident(schema)} to {quote_ident(role)}")
        else:
            cur.execute(f"revoke all on schema {quote_ident(schema)} from {quote_ident(role)}")
            cur.execute(f"revoke all on all tables in schema {quote_ident(schema)} from {quote_ident(role)}")


# --------------------------------------------------------------------------- the build


def build_postgres(
    raw_dir: Path,
    settings: PgSettings | None = None,
    extra_vars: dict | None = None,
    target_path: Path | None = None,
    progress: Progress | None = None,
    *,
    gates: bool = True,
    docs_dir: Path | None = None,
    full_refresh: bool = False,
    bi_role: str | None = None,
) -> PgBuildResult:
    """Build the warehouse into __building schemas and publish it when every model, test and gate passes."""
    say = progress or _quiet
    started = time.perf_counter()
    settings = settings or PgSettings.from_env()
    role = bi_role or bi_role_name()
    target = target_path or default_target_path()
    docs = (docs_dir or default_docs_dir()) if gates else None
    with tempfile.TemporaryDirectory(prefix="loyalty-pg-build-") as scratch, _BuildLock(settings):
        say(f"checking raw files in {raw_dir}")
        pre = check_raw_dir(raw_dir.resolve(), Path(scratch) / "placeholders")
        for note in pre.notes():
            say(f"  note: {note}")
        if docs is not None:
            shutil.rmtree(docs, ignore_errors=True)
            say("great-expectations raw gate")
            ge_gates.raise_on_failure(ge_gates.check_raw(pre.locations, docs))
        con = settings.connect()
        try:
            drop_leftovers(con, say)
            say(f"loading the raw files into {settings.url()} schema {RAW_SCHEMA}{BUILDING_SUFFIX}")
            load_raw_schema(con, pre, RAW_SCHEMA + BUILDING_SUFFIX, say)
            dbt_env = settings.dbt_env() | {
                "LOYALTY_SCHEMA_SUFFIX": BUILDING_SUFFIX,
                "LOYALTY_RAW_SCHEMA": RAW_SCHEMA + BUILDING_SUFFIX,
            }
            # no raw_locations var: on PostgreSQL dbt reads schema raw__building, not the files, and
            # equal vars from build to build let dbt reuse its parse
            dbt_vars = dict(extra_vars or {})
            unused_duckdb = Path(scratch) / "unused.duckdb"
            try:
                # a full refresh rebuilds the incremental models; the snapshot keeps its history either way
                run_dbt(["parse"], unused_duckdb, dbt_vars, target, None, dbt_env)
                stateful = stateful_relations(target / "manifest.json", incremental_models=not full_refresh)
                clone_published(con, stateful, say)
                say(f"building schemas *{BUILDING_SUFFIX} with dbt (published when every test and gate passes)")
                run_dbt(
                    ["build", *(["--full-refresh"] if full_refresh else [])],
                    unused_duckdb,
                    dbt_vars,
                    target,
                    say,
                    dbt_env,
                )
                if docs is not None:
                    say("great-expectations mart gate")
                    ge_gates.raise_on_failure(check_marts(settings, BUILDING_SUFFIX, docs))
            except (BuildError, ge_gates.GateError) as exc:
                raise type(exc)(
                    f"{exc}. Nothing was published: the public schemas of {settings.url()} are unchanged; the failed "
                    f"build is kept in the *{BUILDING_SUFFIX} schemas (failing rows in "
                    f"dbt_test__audit{BUILDING_SUFFIX})"
                ) from exc
            ensure_bi_role(con, role, os.environ.get("LOYALTY_PG_BI_PASSWORD"), say)
            published = publish(con, role, say)
        finally:
            con.close()
    say(
        f"published {', '.join(published)} in one transaction; {role} can read "
        f"{', '.join(s for s in published if s in BI_SCHEMAS)}"
    )
    return PgBuildResult(settings, pre, time.perf_counter() - started, published, role, docs)


def publish(con, role: str, progress: Progress = _quiet) -> list[str]:
    """Swap every __building schema in for its public one, with the BI grants, in one transaction."""
    with con.cursor() as cur:
        built = _schemas_with_suffix(cur, BUILDING_SUFFIX)
    con.commit()
    renames = {name: name[: -len(BUILDING_SUFFIX)] for name in built}
    published = sorted(renames.values())
    progress(f"publishing {len(renames)} schemas")
    swap_in(con, renames, before_commit=lambda cur: grant_bi(cur, role, published), progress=progress)
    return published


# --------------------------------------------------------------------------- reading the published warehouse


def headline(settings: PgSettings) -> dict:
    """The same figures as report.headline, from the published schemas of the database."""
    con = settings.connect()
    try:
        with con.cursor() as cur:
            cur.execute(
                """
                select
                    max(as_of_date),
                    count(*),
                    count(*) filter (where purchases_lifetime > 0),
                    sum(purchases_lifetime),
                    sum(net_amount_lifetime),
                    avg(case when is_repeat_customer then 1.0 else 0.0 end) filter (where purchases_lifetime > 0)
                from member_facts.fct_members
                """
            )
            as_of, members, buyers, purchases, net_amount, repeat_share = cur.fetchone()
            cur.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema = any(%s) order by table_schema, table_name",
                (list(PUBLIC_SCHEMAS),),
            )
            tables = {}
            for schema, name in cur.fetchall():
                cur.execute(f"select count(*) from {quote_ident(schema)}.{quote_ident(name)}")
                tables[f"{schema}.{name}"] = cur.fetchone()[0]
    finally:
        con.close()
    return {
        "as_of_date": str(as_of),
        "members": members,
        "buyers": buyers,
        "purchases": int(purchases or 0),
        "net_amount": float(net_amount or 0),
        "repeat_customer_share": float(repeat_share or 0),
        "tables": tables,
    }


def format_headline(figures: dict, settings: PgSettings, role: str) -> str:
    from ..report import format_headline as format_duckdb_headline

    # the same figures and table list; the last line (DuckDB's query hint) is replaced
    lines = format_duckdb_headline(figures, settings.url()).splitlines()[:-1]
    lines.append(
        f"query it as the BI role: psql -h {settings.host} -p {settings.port} -U {role} -d {settings.database} "
        '-c "select * from customer_value.rpt_rfm_segments"'
    )
    return "\n".join(lines)


def validate(raw_dir: Path, settings: PgSettings, docs_dir: Path) -> list[ge_gates.GateResult]:
    """The raw gate on the files and the mart gate on the published schemas."""
    with tempfile.TemporaryDirectory(prefix="loyalty-placeholders-") as placeholders:
        pre = check_raw_dir(raw_dir.resolve(), Path(placeholders))
        results = [ge_gates.check_raw(pre.locations, docs_dir)]
    results.append(check_marts(settings, "", docs_dir))
    return results
