"""Write-audit-publish on DuckDB: builds write a working file and publish it only when everything passes.

A failed build and a build killed with SIGKILL leave the published warehouse (pointer, build file and
Parquet export) byte-identical and readable; a reader can query the published warehouse while a
build runs; a long-lived reader process that reconnects through the helper sees each new build,
while a connection it holds to an old build keeps working; the Parquet export equals the build's
tables and its manifest is right. Publishes after the first reuse the published build with one value
changed (as_of_date), through the runner's own ``publish``: what is tested is the layout, not dbt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from loyalty_warehouse import runner
from loyalty_warehouse.exports import MANIFEST_NAME, ExportError, public_tables, read_manifest
from loyalty_warehouse.generator import GeneratorConfig, generate
from loyalty_warehouse.paths import PROJECT_DIR
from loyalty_warehouse.published import Layout, connect_published, current_build, read_pointer
from loyalty_warehouse.rowdiff import diff_rows, normalise_rows
from loyalty_warehouse.runner import BuildError, build, dbt_executable, publish, reconcile_links, working_path

pytestmark = pytest.mark.e2e

FIGURES = "select count(*), sum(net_amount) from member_facts.fct_orders"

BUILD_SCRIPT = """
import sys
from pathlib import Path
from loyalty_warehouse.runner import build
build(Path(sys.argv[1]), Path(sys.argv[2]), target_path=Path(sys.argv[3]), progress=print, gates=False)
"""

READER_SCRIPT = """
import json, sys, time
from pathlib import Path
import duckdb
warehouse, stop = sys.argv[1], Path(sys.argv[2])
while not stop.exists():
    try:
        con = duckdb.connect(warehouse, read_only=True)
        row = con.execute("FIGURES_SQL").fetchone()
        con.close()
        print(json.dumps({"ok": [row[0], float(row[1])]}), flush=True)
    except Exception as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
    time.sleep(0.2)
""".replace("FIGURES_SQL", FIGURES)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _figures(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(FIGURES).fetchone()
        return row[0], float(row[1])
    finally:
        con.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("publish")
    raw = work / "raw"
    generate(GeneratorConfig(members=300, seed=13), raw)
    result = build(raw, work / "wh" / "loyalty.duckdb", target_path=work / "target", gates=False)
    return {"work": work, "raw": raw, "warehouse": result.warehouse}


def _state(warehouse: Path) -> dict:
    """Everything a reader can see of a published warehouse: pointer, build file and export, hashed."""
    layout = Layout(warehouse)
    build_now = current_build(warehouse)
    return {
        "pointer": layout.pointer.read_text(),
        "link": os.readlink(warehouse),
        "database": _sha256(build_now.database),
        "exports": {p.name: _sha256(p) for p in sorted(build_now.exports.iterdir())},
    }


def test_build_publishes_a_versioned_file_behind_the_pointer(published: dict) -> None:
    warehouse = published["warehouse"]
    layout = Layout(warehouse)
    pointer = read_pointer(layout)
    assert not working_path(warehouse).exists()
    assert layout.folder / pointer["database"] == layout.build_file(pointer["build_id"])
    assert layout.build_file(pointer["build_id"]).is_file()
    # the stable paths lead to the same build
    assert warehouse.is_symlink() and warehouse.resolve() == layout.build_file(pointer["build_id"])
    assert layout.parquet_link.resolve() == layout.export_dir(pointer["build_id"])
    assert pointer["as_of_date"] == "2024-12-31"
    assert _figures(warehouse)[0] > 0


def test_failed_build_leaves_the_published_warehouse_and_export_unchanged(published: dict) -> None:
    warehouse = published["warehouse"]
    before = _state(warehouse)
    with pytest.raises(BuildError, match="Nothing was published"):
        # a window too long for a date to be computed: the member models fail at run time
        build(
            published["raw"],
            warehouse,
            {"member_window_days": 2**63 - 1},
            target_path=published["work"] / "target_failed",
            gates=False,
        )
    assert _state(warehouse) == before
    assert _figures(warehouse)[0] > 0


def test_kill_9_during_the_build_leaves_the_published_warehouse_unchanged(published: dict) -> None:
    warehouse = published["warehouse"]
    before_state, before_figures = _state(warehouse), _figures(warehouse)
    working = working_path(warehouse)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            BUILD_SCRIPT,
            str(published["raw"]),
            str(warehouse),
            str(published["work"] / "target_kill"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        created = 0
        # let dbt write a good part of the working file, then kill the build and its dbt child
        for line in proc.stdout:
            created += " OK created " in line
            if created >= 20:
                break
        assert proc.poll() is None, "the build ended before it could be killed"
        assert working.exists()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _state(warehouse) == before_state
    assert _figures(warehouse) == before_figures


def test_reader_queries_the_published_warehouse_while_a_build_runs(published: dict) -> None:
    """Also the first build after the killed one: it clears the leftover working file."""
    warehouse = published["warehouse"]
    before = _figures(warehouse)
    old_build = current_build(warehouse).build_id
    stop = published["work"] / "stop_reader"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_SCRIPT, str(warehouse), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        build(
            published["raw"],
            warehouse,
            target_path=published["work"] / "target_reader",
            progress=lines.append,
            gates=False,
        )
        time.sleep(1)  # a few reads of the newly published file
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=60)
    results = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, errors[:3]
    seen = {tuple(r["ok"]) for r in results}
    assert len(results) > 20, "the reader should have queried throughout the build"
    exported = [line for line in lines if line.strip().startswith("parquet export:")]
    assert len(exported) == 1 and " public tables, " in exported[0], lines[-5:]
    assert exported[0].split(" in ")[1][0].isdigit(), exported  # the export's cost in seconds
    assert seen == {before}  # the same raw data: old and new warehouse give the same figures
    assert current_build(warehouse).build_id != old_build, "the build should have published a new build"
    assert not working_path(warehouse).exists()


def _rows_in(path_or_sql: str, con: duckdb.DuckDBPyConnection) -> list:
    return con.execute(f"select * from {path_or_sql}").fetchall()


def test_the_parquet_export_equals_every_public_table(published: dict, parsed_manifest: dict) -> None:
    warehouse = published["warehouse"]
    build_now = current_build(warehouse)
    manifest = read_manifest(build_now.exports)
    con = connect_published(warehouse)
    try:
        tables = [f"{schema}.{name}" for schema, name in public_tables(con)]
        assert len(tables) > 30
        assert [entry["table"] for entry in manifest["tables"]] == tables
        assert {k: manifest[k] for k in ("build_id", "built_at", "as_of_date")} == {
            "build_id": build_now.build_id,
            "built_at": build_now.built_at,
            "as_of_date": build_now.as_of_date,
        }
        as_of = con.execute("select max(as_of_date) from member_facts.fct_members").fetchone()[0]
        assert manifest["as_of_date"] == str(as_of)
        files = {e["file"] for e in manifest["tables"]}
        assert {p.name for p in build_now.exports.iterdir()} == files | {MANIFEST_NAME}
        for entry in manifest["tables"]:
            table, parquet = entry["table"], f"read_parquet('{build_now.exports / entry['file']}')"
            assert entry["rows"] == con.execute(f"select count(*) from {table}").fetchone()[0], table
            assert entry["rows"] == con.execute(f"select count(*) from {parquet}").fetchone()[0], table
            # the same columns in the same order, and exactly the same rows (duplicates counted)
            assert [c[0] for c in con.execute(f"describe select * from {parquet}").fetchall()] == [
                c[0] for c in con.execute(f"describe select * from {table}").fetchall()
            ], table
            differing = con.execute(
                f"select count(*) from ((select * from {table} except all select * from {parquet}) "
                f"union all (select * from {parquet} except all select * from {table}))"
            ).fetchone()[0]
            assert differing == 0, table
            diff = diff_rows(table, normalise_rows(_rows_in(table, con)), normalise_rows(_rows_in(parquet, con)))
            assert diff.equal, diff.describe()
    finally:
        con.close()
    # the exposure of the exports names exactly the tables exported
    exposure = next(e for e in parsed_manifest["exposures"].values() if e["name"] == "parquet_exports")
    nodes = parsed_manifest["nodes"]
    assert {f"{nodes[n]['schema']}.{nodes[n]['name']}" for n in exposure["depends_on"]["nodes"]} == set(tables)


def _next_build(warehouse: Path, folder: Path, as_of: str) -> Path:
    """A working file that is the current build with another as_of_date (to publish without dbt)."""
    working = folder / f"next-{as_of}.duckdb"
    shutil.copyfile(current_build(warehouse).database, working)
    con = duckdb.connect(str(working))
    try:
        con.execute("update member_facts.fct_members set as_of_date = ?", [as_of])
    finally:
        con.close()
    return working


def test_a_failed_export_publishes_nothing(published: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = published["warehouse"]
    before = _state(warehouse)
    working = _next_build(warehouse, tmp_path, "2024-11-30")

    def broken_export(*_args, **_kwargs):
        raise ExportError("exporting koc.rpt_koc_leaderboard to /full/disk failed: No space left on device")

    monkeypatch.setattr("loyalty_warehouse.runner.export_public_tables", broken_export)
    with pytest.raises(ExportError, match="No space left"):
        publish(working, warehouse)
    assert _state(warehouse) == before
    assert working.exists(), "the unpublished build stays where it was"


# A long-lived reader: a BI server or notebook kernel. It holds one connection open for its whole life
# (opened on the stable path, like a BI tool's pool would) and, every 0.1 s, reconnects with the
# helper and also opens a new connection on the same stable path.
LONG_LIVED_READER = """
import json, sys, time
from pathlib import Path
import duckdb
from loyalty_warehouse.published import open_current
warehouse, stop = sys.argv[1], Path(sys.argv[2])
AS_OF = "select max(as_of_date)::varchar from member_facts.fct_members"
pinned = duckdb.connect(warehouse, read_only=True)
while not stop.exists():
    read = {}
    try:
        con, build = open_current(Path(warehouse))
        read["helper"], read["build_id"] = con.execute(AS_OF).fetchone()[0], build.build_id
        con.close()
        again = duckdb.connect(warehouse, read_only=True)
        read["same_path"] = again.execute(AS_OF).fetchone()[0]
        again.close()
        read["pinned"] = pinned.execute(AS_OF).fetchone()[0]
        read["pinned_orders"] = pinned.execute("select count(*) from member_facts.fct_orders").fetchone()[0]
    except Exception as exc:
        read["error"] = repr(exc)
    print(json.dumps(read), flush=True)
    time.sleep(0.1)
"""


def _reads(output: Path) -> list[dict]:
    return [json.loads(line) for line in output.read_text().splitlines() if line.startswith("{")]


def _wait_for_read(output: Path, as_of: str, reader: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not any(r.get("helper") == as_of for r in _reads(output)):
        assert reader.poll() is None, f"the reader died: {output.read_text()[-2000:]}"
        assert time.monotonic() < deadline, f"the reader never saw {as_of}: {output.read_text()[-2000:]}"
        time.sleep(0.1)


def test_a_long_lived_reader_sees_each_new_build_and_its_open_connection_keeps_working(
    published: dict, tmp_path: Path
) -> None:
    warehouse = published["warehouse"]
    layout = Layout(warehouse)
    first = current_build(warehouse)
    output, stop = tmp_path / "reader.jsonl", tmp_path / "stop"
    with output.open("w") as sink:
        reader = subprocess.Popen(
            [sys.executable, "-c", LONG_LIVED_READER, str(warehouse), str(stop)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        _wait_for_read(output, first.as_of_date, reader)
        second = publish(_next_build(warehouse, tmp_path, "2024-12-15"), warehouse, keep=2)
        _wait_for_read(output, "2024-12-15", reader)
        assert len(layout.published_build_ids()) == 2
        # keep=1: the first build, which the reader still holds open, is deleted by this publish
        third = publish(_next_build(warehouse, tmp_path, "2024-12-01"), warehouse, keep=1)
        _wait_for_read(output, "2024-12-01", reader)
        time.sleep(0.5)  # a few more reads on the pinned connection after its file is gone
    finally:
        stop.touch()
        reader.wait(timeout=60)
    reads = _reads(output)
    assert not [r for r in reads if "error" in r], [r for r in reads if "error" in r][:3]
    seen = [r["helper"] for r in reads]
    assert [value for i, value in enumerate(seen) if i == 0 or seen[i - 1] != value] == [
        first.as_of_date,
        "2024-12-15",
        "2024-12-01",
    ]
    assert {r["build_id"] for r in reads} == {first.build_id, second.build_id, third.build_id}
    # the connection held open keeps reading its own build, whole, after two publishes and its deletion
    assert {(r["pinned"], r["pinned_orders"]) for r in reads} == {(first.as_of_date, _figures(warehouse)[0])}
    assert not layout.build_file(first.build_id).exists() and layout.published_build_ids() == [third.build_id]
    assert [p.name for p in layout.exports_dir.iterdir()] == [third.build_id]
    # A BI tool that just opens a new connection on the stable path gets the new build too, even while
    # its old connection is open: the path is a symlink, and DuckDB keys its cached instances by the
    # file the link resolves to (DuckDB 1.5). With one file replaced in place it got the old build.
    # (Each read opens the helper's connection first, so the stable path may already show the next build.)
    assert {r["same_path"] for r in reads} == {first.as_of_date, "2024-12-15", "2024-12-01"}
    assert reads[-1]["same_path"] == "2024-12-01"


HOLDER_SCRIPT = """
import sys, time
from pathlib import Path
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("select count(*) from member_facts.fct_members").fetchone()
print("holding", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.1)
"""


@pytest.fixture
def held_open(published: dict, tmp_path: Path):
    """A reader process (a BI tool, the dashboard) holding the published warehouse open."""
    release = tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER_SCRIPT, str(published["warehouse"]), str(release)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    try:
        yield published["warehouse"]
    finally:
        release.touch()
        holder.wait(timeout=30)


def test_make_docs_works_while_a_reader_holds_the_published_warehouse(held_open: Path, tmp_path: Path) -> None:
    before = _state(held_open)
    target = tmp_path / "docs_target"
    env = os.environ | {"DBT_TARGET_PATH": str(target), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    done = subprocess.run(
        ["make", "--no-print-directory", "docs", f"WAREHOUSE={held_open}"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    site = target / "static_index.html"
    assert f"docs site (one file, opens from disk): {site}" in done.stdout
    assert site.is_file() and "rpt_rfm_segments" in site.read_text()
    # the catalog describes the published build, under the published name
    catalog = json.loads((target / "catalog.json").read_text())["nodes"]
    assert catalog["model.loyalty_warehouse.rpt_rfm_segments"]["metadata"]["database"] == "loyalty"
    assert _state(held_open) == before


def test_plain_dbt_writes_the_development_file_not_the_published_one(held_open: Path, tmp_path: Path) -> None:
    """Plain dbt (no preflight, no gates, no publish) writes target/dev.duckdb, even with
    LOYALTY_WAREHOUSE_PATH exported for the CLI and a reader holding the published warehouse."""
    before = _state(held_open)
    env = {k: v for k, v in os.environ.items() if k not in ("LOYALTY_DBT_PATH", "DBT_TARGET_PATH")} | {
        "LOYALTY_WAREHOUSE_PATH": str(held_open),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    # From a scratch folder (the default path is relative: it lands there, not in the checkout); a seed
    # needs no raw file.
    done = subprocess.run(
        [
            dbt_executable(),
            "seed",
            "--select",
            "ref_kox_tiers",
            "--project-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    dev = tmp_path / "target" / "dev.duckdb"
    con = duckdb.connect(str(dev), read_only=True)
    try:
        assert con.execute("select count(*) from reference.ref_kox_tiers").fetchone()[0] == 3
    finally:
        con.close()
    assert _state(held_open) == before


def test_a_publish_killed_between_pointer_and_links_is_repaired_by_the_next(
    published: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pointer switches first, the symlinks after it: a publish that dies in between leaves the
    stable path on the old build; the next build or publish re-points it before anything else."""
    warehouse = published["warehouse"]
    layout = Layout(warehouse)
    before = os.readlink(warehouse), os.readlink(layout.parquet_link)

    def die(link: Path, target: str) -> None:
        raise KeyboardInterrupt("killed after the pointer switch")

    monkeypatch.setattr(runner, "_link_atomically", die)
    with pytest.raises(KeyboardInterrupt):
        publish(_next_build(warehouse, tmp_path, "2024-11-30"), warehouse, keep=3)
    monkeypatch.undo()
    pointer = read_pointer(layout)
    assert pointer["as_of_date"] == "2024-11-30"
    assert (
        (os.readlink(warehouse), os.readlink(layout.parquet_link))
        == before
        != (
            pointer["database"],
            pointer["exports"],
        )
    )

    assert sorted(reconcile_links(warehouse)) == sorted([warehouse.name, layout.parquet_link.name])
    assert (os.readlink(warehouse), os.readlink(layout.parquet_link)) == (pointer["database"], pointer["exports"])
    con = duckdb.connect(str(warehouse), read_only=True)  # what a BI tool opening the stable path sees
    try:
        as_of = con.execute("select max(as_of_date)::varchar from member_facts.fct_members").fetchone()[0]
        assert as_of == "2024-11-30"
    finally:
        con.close()
    assert reconcile_links(warehouse) == []  # in step: nothing to do
