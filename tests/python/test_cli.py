"""The `loyalty` command: its commands exist, run, and fail with one clear line instead of a traceback."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
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
    assert {p.name for p in out.glob("raw_*.parquet")} >= {
        "raw_members.parquet",
        "raw_orders.parquet",
        "raw_interactions.parquet",
    }


def test_generate_refuses_too_few_members(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["generate", "--members", "5", "--out", str(tmp_path / "raw")])
    assert result.exit_code == 2
    assert "at least 100" in result.output
    assert "Traceback" not in result.output


def test_query_prints_a_table(runner: CliRunner, tiny_warehouse: Path) -> None:
    result = runner.invoke(
        main,
        [
            "query",
            "select * from customer_value.rpt_rfm_segments order by members desc",
            "--warehouse",
            str(tiny_warehouse),
        ],
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


# --- bad invocations: one line naming the argument and the fix, never a traceback


def _one_clean_line(result) -> str:
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, result.output
    return errors[0]


def test_vars_that_are_not_json_say_how_to_write_them(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", "--raw-dir", str(tmp_path), "--vars", "{member_window_days: 180}"])
    assert result.exit_code == 2
    line = _one_clean_line(result)
    assert "--vars is not valid JSON" in line and """--vars '{"member_window_days": 180}'""" in line


def test_vars_that_are_not_an_object_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", "--raw-dir", str(tmp_path), "--vars", "[180]"])
    assert result.exit_code == 2
    assert "--vars must be a JSON object of var names and values, got list" in _one_clean_line(result)


def test_a_misspelled_var_gets_the_closest_name(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", "--raw-dir", str(tmp_path), "--vars", '{"member_windows_days": 180}'])
    assert result.exit_code == 2
    assert "unknown var 'member_windows_days': did you mean 'member_window_days'?" in _one_clean_line(result)


def test_a_folder_as_warehouse_is_refused(runner: CliRunner, small_raw: Path, tmp_path: Path) -> None:
    folder = tmp_path / "warehouse"
    folder.mkdir()
    result = runner.invoke(main, ["build", "--raw-dir", str(small_raw), "--warehouse", str(folder)])
    assert result.exit_code == 1
    assert f"--warehouse {folder} is a folder; give the path of a .duckdb file inside it" in _one_clean_line(result)


def test_a_read_only_warehouse_location_is_refused(small_raw: Path, tmp_path: Path) -> None:
    """A folder nobody may write to: a read-only mount for root (who ignores permission bits), else chmod."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    warehouse = folder / "loyalty.duckdb"
    build = [
        str(Path(sys.executable).with_name("loyalty")),
        "build",
        "--raw-dir",
        str(small_raw),
        "--warehouse",
        str(warehouse),
    ]
    if os.geteuid() == 0:
        mount = f"mount -t tmpfs -o ro,size=1m tmpfs {shlex.quote(str(folder))} && exec {shlex.join(build)}"
        command = ["unshare", "--mount", "sh", "-c", mount]
    else:
        folder.chmod(0o555)
        command = build
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if "unshare" in command and "mount" in proc.stderr and "loyalty" not in proc.stderr:
        pytest.skip(f"cannot mount a read-only folder here: {proc.stderr.strip()}")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    expected = f"error: cannot write the warehouse at {warehouse}: {folder} is not writable; choose another --warehouse"
    assert expected in proc.stderr.splitlines()


# --- an as_of_date outside the data stops before dbt


def _order_period(raw: Path) -> tuple[dt.date, dt.date]:
    ordered_at = pq.read_table(raw / "raw_orders.parquet", columns=["ordered_at"])["ordered_at"]
    return pc.min(ordered_at).as_py().date(), pc.max(ordered_at).as_py().date()


@pytest.mark.parametrize("side", ["before the first order", "after the load time"])
def test_as_of_date_outside_the_data_stops_before_dbt(
    side: str, runner: CliRunner, small_raw: Path, tmp_path: Path
) -> None:
    first, last = _order_period(small_raw)
    as_of = first - dt.timedelta(days=1) if side.startswith("before") else dt.date.today() + dt.timedelta(days=30)
    warehouse = tmp_path / "loyalty.duckdb"
    result = runner.invoke(
        main,
        [
            "build",
            "--raw-dir",
            str(small_raw),
            "--warehouse",
            str(warehouse),
            "--vars",
            json.dumps({"as_of_date": as_of.isoformat()}),
        ],
    )
    assert result.exit_code == 1
    line = _one_clean_line(result)
    assert f"as_of_date {as_of} is outside the data's period: raw_orders run from {first} to {last}" in line
    assert f"or leave it unset to use the last order day ({last})" in line
    assert "great-expectations" not in result.output and "with dbt" not in result.output
    assert not warehouse.exists() and not (tmp_path / "loyalty.building.duckdb").exists()


def test_as_of_date_that_is_not_a_date_is_named(runner: CliRunner, small_raw: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        main,
        [
            "build",
            "--raw-dir",
            str(small_raw),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--vars",
            '{"as_of_date": "30/06/2024"}',
        ],
    )
    assert result.exit_code == 2  # refused with the other --vars checks, before anything runs
    assert "var as_of_date is '30/06/2024'; give a date as YYYY-MM-DD" in _one_clean_line(result)


# --- loyalty query: formats and limits


def _query(runner: CliRunner, warehouse: Path, *options: str):
    sql = "select * from customer_value.rpt_rfm_segments order by members desc"
    result = runner.invoke(main, ["query", sql, "--warehouse", str(warehouse), *options])
    assert result.exit_code == 0, result.output
    return result


def test_query_as_csv_and_json(runner: CliRunner, tiny_warehouse: Path) -> None:
    as_csv = list(csv.reader(io.StringIO(_query(runner, tiny_warehouse, "--format", "csv").stdout)))
    assert as_csv == [["rfm_segment", "members"], ["champions", "10"], ["at_risk", "3"]]
    as_json = json.loads(_query(runner, tiny_warehouse, "--format", "json").stdout)
    assert as_json == [{"rfm_segment": "champions", "members": 10}, {"rfm_segment": "at_risk", "members": 3}]


def test_query_limit_says_how_many_rows_were_left_out(runner: CliRunner, tiny_warehouse: Path) -> None:
    table = _query(runner, tiny_warehouse, "--format", "table", "--limit", "1").stdout.splitlines()
    assert table[0].split() == ["rfm_segment", "members"] and table[2].split() == ["champions", "10"]
    assert table[3] == "(showing 1 of 2 rows; use --limit N for more)" and len(table) == 4
    limited_json = json.loads(_query(runner, tiny_warehouse, "--format", "json", "--limit", "1").stdout)
    assert limited_json == [{"rfm_segment": "champions", "members": 10}]
    limited_csv = _query(runner, tiny_warehouse, "--format", "csv", "--limit", "1").stdout.splitlines()
    assert limited_csv == ["rfm_segment,members", "champions,10"]


def test_query_aligns_chinese_text_by_display_width(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "cities.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table cities as select * from (values ('上海', 1), ('Xi''an', 2)) as t(city, members)")
    con.close()
    result = runner.invoke(main, ["query", "select * from cities order by members", "--warehouse", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # '上海' is two characters but four columns wide, so it gets one space of padding, 'Xi'an' none
    assert lines[2:] == ["上海   1", "Xi'an  2"]


def _tiny_build(folder: Path, champions: int) -> Path:
    path = folder / "tiny.duckdb"
    folder.mkdir(parents=True)
    con = duckdb.connect(str(path))
    con.execute("create schema customer_value")
    con.execute(
        f"create table customer_value.rpt_rfm_segments as select 'champions' as rfm_segment, {champions} as members"
    )
    con.close()
    return path


def test_query_reads_the_build_the_pointer_names(runner: CliRunner, tmp_path: Path) -> None:
    """Readers follow the pointer (the commit point), even if the symlink still names an older build."""
    old = _tiny_build(tmp_path / "builds" / "tiny-1", 10)
    _tiny_build(tmp_path / "builds" / "tiny-2", 99)
    (tmp_path / "tiny.current.json").write_text(
        json.dumps(
            {
                "layout_version": 1,
                "build_id": "tiny-2",
                "built_at": "2024-12-31T00:00:00+00:00",
                "as_of_date": None,
                "database": "builds/tiny-2/tiny.duckdb",
                "exports": None,
            }
        )
    )
    (tmp_path / "tiny.duckdb").symlink_to(old.relative_to(tmp_path))
    result = runner.invoke(
        main,
        [
            "query",
            "select members from customer_value.rpt_rfm_segments",
            "--format",
            "csv",
            "--warehouse",
            str(tmp_path / "tiny.duckdb"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["members", "99"]


def test_a_bad_keep_builds_setting_is_one_line_before_any_work(runner: CliRunner, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    bad_env = runner.invoke(
        main,
        ["build", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "wh" / "x.duckdb")],
        env={"LOYALTY_KEEP_BUILDS": "many"},
    )
    assert bad_env.exit_code == 1
    assert "LOYALTY_KEEP_BUILDS='many': give a whole number of builds to keep, 1 or more" in bad_env.output
    assert not (tmp_path / "wh").exists()
    bad_option = runner.invoke(main, ["build", "--raw-dir", str(raw), "--keep-builds", "0"])
    assert bad_option.exit_code == 2 and "--keep-builds" in bad_option.output
    assert "Traceback" not in bad_env.output + bad_option.output
