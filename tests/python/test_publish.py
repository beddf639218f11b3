"""Write-audit-publish: builds write a working file and publish it atomically only when everything passes.

A failed build and a build killed with SIGKILL leave the published warehouse byte-identical and
readable; a reader can query the published warehouse while a build runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from loyalty_warehouse.generator import GeneratorConfig, generate
from loyalty_warehouse.runner import BuildError, build, working_path

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
        row = con.execute("%s").fetchone()
        con.close()
        print(json.dumps({"ok": [row[0], float(row[1])]}), flush=True)
    except Exception as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
    time.sleep(0.2)
""" % FIGURES


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


def test_build_publishes_by_renaming_the_working_file(published: dict) -> None:
    warehouse = published["warehouse"]
    assert warehouse.exists() and not working_path(warehouse).exists()
    assert _figures(warehouse)[0] > 0


def test_failed_build_leaves_the_published_warehouse_unchanged(published: dict) -> None:
    warehouse = published["warehouse"]
    before = _sha256(warehouse)
    with pytest.raises(BuildError, match="Nothing was published"):
        # a window too long for a date to be computed: the member models fail at run time
        build(published["raw"], warehouse, {"member_window_days": 2**63 - 1},
              target_path=published["work"] / "target_failed", gates=False)
    assert _sha256(warehouse) == before
    assert _figures(warehouse)[0] > 0


def test_kill_9_during_the_build_leaves_the_published_warehouse_unchanged(published: dict) -> None:
    warehouse = published["warehouse"]
    before_sum, before_figures = _sha256(warehouse), _figures(warehouse)
    working = working_path(warehouse)
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, str(published["raw"]), str(warehouse), str(published["work"] / "target_kill")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
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
    assert _sha256(warehouse) == before_sum
    assert _figures(warehouse) == before_figures


def test_reader_queries_the_published_warehouse_while_a_build_runs(published: dict) -> None:
    """Also the first build after the killed one: it clears the leftover working file."""
    warehouse = published["warehouse"]
    before = _figures(warehouse)
    old_inode = warehouse.stat().st_ino
    stop = published["work"] / "stop_reader"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_SCRIPT, str(warehouse), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines: list[str] = []
        build(published["raw"], warehouse, target_path=published["work"] / "target_reader",
              progress=lines.append, gates=False)
        time.sleep(1)  # a few reads of the newly published file
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=60)
    results = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, errors[:3]
    seen = {tuple(r["ok"]) for r in results}
    assert len(results) > 20, "the reader should have queried throughout the build"
    assert seen == {before}  # the same raw data: old and new warehouse give the same figures
    assert warehouse.stat().st_ino != old_inode, "the build should have replaced the published file"
    assert not working_path(warehouse).exists()
