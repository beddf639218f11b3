"""The `loyalty` command: its commands exist, run, and fail with one clear line instead of a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from loyalty_warehouse.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    """A DuckDB file with one public-looking table, enough for `loyalty query`."""
    path = tmp_path / "tiny.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema customer_value")
    con.execute(
        "create table customer_value.rpt_rfm_segments as "
        "select * from (values ('champions', 10), ('at_risk', 3)) as t(rfm_segment, members)"
    )
    con.close()
    return path


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("generate", "build", "demo", "validate", "bench", "query", "docs", "dashboard"):
        assert command in result.output


def test_generate_writes_the_raw_files(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "raw"
    result = runner.invoke(main, ["generate", "--members", "200", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.glob("raw_*.parquet")} >= {"raw_members.parquet", "raw_orders.parquet", "raw_interactions.parquet"}


def test_generate_refuses_too_few_members(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["generate", "--members", "5", "--out", str(tmp_path / "raw")])
    assert result.exit_code == 2
    assert "at least 100" in result.output
    assert "Traceback" not in result.output


def test_query_prints_a_table(runner: CliRunner, tiny_warehouse: Path) -> None:
    result = runner.invoke(
        main, ["query", "select * from customer_value.rpt_rfm_segments order by members desc", "--warehouse", str(tiny_warehouse)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["rfm_segment", "members"]
    assert lines[2].split() == ["champions", "10"]


def test_query_errors_are_one_line(runner: CliRunner, tiny_warehouse: Path, tmp_path: Path) -> None:
    missing = runner.invoke(main, ["query", "select 1", "--warehouse", str(tmp_path / "nowhere.duckdb")])
    assert missing.exit_code == 2 and "no warehouse at" in missing.output
    bad = runner.invoke(main, ["query", "select * from no_such_table", "--warehouse", str(tiny_warehouse)])
    assert bad.exit_code == 1 and "query failed" in bad.output and "no_such_table" in bad.output
    assert "Traceback" not in missing.output + bad.output


def _tiny_build(folder: Path, champions: int) -> Path:
    path = folder / "tiny.duckdb"
    folder.mkdir(parents=True)
    con = duckdb.connect(str(path))
    con.execute("create schema customer_value")
    con.execute(f"create table customer_value.rpt_rfm_segments as select 'champions' as rfm_segment, {champions} as members")
    con.close()
    return path


def test_query_reads_the_build_the_pointer_names(runner: CliRunner, tmp_path: Path) -> None:
    """Readers follow the pointer (the commit point), even if the symlink still names an older build."""
    old = _tiny_build(tmp_path / "builds" / "tiny-1", 10)
    _tiny_build(tmp_path / "builds" / "tiny-2", 99)
    (tmp_path / "tiny.current.json").write_text(json.dumps(
        {"layout_version": 1, "build_id": "tiny-2", "built_at": "2024-12-31T00:00:00+00:00", "as_of_date": None,
         "database": "builds/tiny-2/tiny.duckdb", "exports": None}))
    (tmp_path / "tiny.duckdb").symlink_to(old.relative_to(tmp_path))
    result = runner.invoke(main, ["query", "select members from customer_value.rpt_rfm_segments", "--format", "csv",
                                  "--warehouse", str(tmp_path / "tiny.duckdb")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["members", "99"]


def test_a_bad_keep_builds_setting_is_one_line_before_any_work(runner: CliRunner, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    bad_env = runner.invoke(main, ["build", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "wh" / "x.duckdb")],
                            env={"LOYALTY_KEEP_BUILDS": "many"})
    assert bad_env.exit_code == 1
    assert "LOYALTY_KEEP_BUILDS='many': give a whole number of builds to keep, 1 or more" in bad_env.output
    assert not (tmp_path / "wh").exists()
    bad_option = runner.invoke(main, ["build", "--raw-dir", str(raw), "--keep-builds", "0"])
    assert bad_option.exit_code == 2 and "--keep-builds" in bad_option.output
    assert "Traceback" not in bad_env.output + bad_option.output
