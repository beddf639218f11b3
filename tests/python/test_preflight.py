"""File-level checks of a raw folder: clear errors that name the file and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
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


def test_empty_folder_says_no_raw_files_are_there(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "notes.txt").write_text("not a raw file")
    with pytest.raises(RawDataError, match="holds none of the raw files"):
        check_raw_dir(tmp_path / "export", tmp_path / "placeholders")


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


# --- empty files, wrong types and malformed CSV lines (each message names the file, column or line)


def _campaigns_as_csv(raw: Path) -> Path:
    """Replace the (small) campaigns Parquet file by a CSV export of it; return the CSV path."""
    path = raw / "raw_campaigns.csv"
    pacsv.write_csv(pq.read_table(raw / "raw_campaigns.parquet"), path)
    (raw / "raw_campaigns.parquet").unlink()
    return path


def _replace_line(path: Path, number: int, transform) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[number - 1] = transform(lines[number - 1])
    path.write_bytes(b"\n".join(lines))


def test_csv_export_passes(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    _campaigns_as_csv(raw)
    result = check_raw_dir(raw, tmp_path / "placeholders")
    assert result.locations["raw_campaigns"].endswith("raw_campaigns.csv")
    assert result.row_counts["raw_campaigns"] == pq.read_metadata(small_raw / "raw_campaigns.parquet").num_rows


def test_empty_file_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    (raw / "raw_orders.parquet").write_bytes(b"")
    with pytest.raises(RawDataError, match=r"raw_orders.parquet: the file is empty \(0 bytes\)"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_required_table_without_rows_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    table = pq.read_table(raw / "raw_members.parquet")
    pq.write_table(table.slice(0, 0), raw / "raw_members.parquet")
    with pytest.raises(RawDataError, match="required table raw_members has no rows"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_wrong_type_in_parquet_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    table = pq.read_table(raw / "raw_orders.parquet")
    position = table.schema.get_field_index("paid_amount")
    as_text = pa.array([str(v) for v in table["paid_amount"].to_pylist()])
    pq.write_table(table.set_column(position, "paid_amount", as_text), raw / "raw_orders.parquet")
    with pytest.raises(RawDataError, match="raw_orders.parquet: column paid_amount has type VARCHAR, the contract says double"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_wrong_type_in_csv_names_the_line(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = _campaigns_as_csv(raw)
    header = path.read_text().splitlines()[0].replace('"', "").split(",")
    cost = header.index("cost")

    def spoil(line: bytes) -> bytes:
        fields = line.split(b",")
        fields[cost] = b"lots"
        return b",".join(fields)

    _replace_line(path, 5, spoil)
    with pytest.raises(RawDataError, match="raw_campaigns.csv: column cost should be double but line 5 has 'lots'"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_malformed_csv_line_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = _campaigns_as_csv(raw)
    width = len(path.read_text().splitlines()[0].split(","))
    _replace_line(path, 7, lambda line: line + b",surplus")
    with pytest.raises(RawDataError, match=rf"raw_campaigns.csv: line 7 has {width + 1} fields but the header has {width}"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_non_utf8_csv_line_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = _campaigns_as_csv(raw)
    # a GBK-encoded name (上海) where UTF-8 is required
    _replace_line(path, 4, lambda line: line.replace(b'"', "上海".encode("gbk") + b'"', 1))
    with pytest.raises(RawDataError, match="raw_campaigns.csv: line 4 is not UTF-8"):
        check_raw_dir(raw, tmp_path / "placeholders")


def _set_starts_at(path: Path, number: int, value: str) -> None:
    header = path.read_text().splitlines()[0].replace('"', "").split(",")
    position = header.index("starts_at")

    def change(line: bytes) -> bytes:
        fields = line.split(b",")
        fields[position] = value.encode()
        return b",".join(fields)

    _replace_line(path, number, change)


def test_mixed_time_zones_in_csv_are_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = _campaigns_as_csv(raw)
    _set_starts_at(path, 6, "2024-03-01 10:00:00Z")
    with pytest.raises(RawDataError, match="raw_campaigns.csv: column starts_at mixes time zones: line 2 has no offset, line 6 has offset"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_non_utc_offset_in_csv_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = _campaigns_as_csv(raw)
    _set_starts_at(path, 3, "2024-03-01 18:00:00+08:00")
    with pytest.raises(RawDataError, match=r"raw_campaigns.csv: column starts_at line 3 has '2024-03-01 18:00:00\+08:00' with a non-UTC offset"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_non_utc_parquet_time_zone_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    table = pq.read_table(raw / "raw_campaigns.parquet")
    position = table.schema.get_field_index("starts_at")
    shanghai = table["starts_at"].cast(pa.timestamp("us", tz="Asia/Shanghai"))
    pq.write_table(table.set_column(position, "starts_at", shanghai), raw / "raw_campaigns.parquet")
    with pytest.raises(RawDataError, match="raw_campaigns.parquet: column starts_at is in time zone Asia/Shanghai"):
        check_raw_dir(raw, tmp_path / "placeholders")
