"""File-level checks of a raw folder: clear errors that name the file and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from loyalty_warehouse.preflight import RawDataError, check_raw_dir


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_complete_folder_passes(small_raw: Path, tmp_path: Path) -> None:
    result = check_raw_dir(small_raw, tmp_path / "placeholders")
    assert not result.placeholders and not result.extra_columns
    assert set(result.locations) == {
        "raw_members", "raw_orders", "raw_interactions", "raw_ugc_post_metrics", "raw_campaigns", "raw_koc_participations"
    }


def test_missing_folder_says_how_to_get_data(tmp_path: Path) -> None:
    with pytest.raises(RawDataError, match="does not exist; run `loyalty generate"):
        check_raw_dir(tmp_path / "nope", tmp_path / "placeholders")


def test_missing_required_file_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    (raw / "raw_orders.parquet").unlink()
    with pytest.raises(RawDataError, match=r"required file raw_orders.parquet \(or .csv\) is missing"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_missing_column_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    table = pq.read_table(raw / "raw_orders.parquet").rename_columns(
        ["order_id", "member_id", "order_time", *pq.read_schema(raw / "raw_orders.parquet").names[3:]]
    )
    pq.write_table(table, raw / "raw_orders.parquet")
    with pytest.raises(RawDataError, match=r"raw_orders.parquet: required column\(s\) ordered_at missing"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_missing_optional_table_gets_an_empty_placeholder(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    (raw / "raw_campaigns.parquet").unlink()
    result = check_raw_dir(raw, tmp_path / "placeholders")
    assert result.placeholders == ["raw_campaigns"]
    placeholder = Path(result.locations["raw_campaigns"])
    assert placeholder.parent == (tmp_path / "placeholders").resolve()
    assert pq.read_table(placeholder).num_rows == 0


def test_extra_columns_are_tolerated_and_reported(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    table = pq.read_table(raw / "raw_members.parquet")
    pq.write_table(table.append_column("vip_note", table["city"]), raw / "raw_members.parquet")
    result = check_raw_dir(raw, tmp_path / "placeholders")
    assert result.extra_columns == {"raw_members": ["vip_note"]}
    assert "raw_members: extra columns ignored: vip_note" in result.notes()


def test_two_formats_of_one_table_are_refused(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    (raw / "raw_campaigns.csv").write_text("campaign_id\n")
    with pytest.raises(RawDataError, match="keep one file per raw table"):
        check_raw_dir(raw, tmp_path / "placeholders")
