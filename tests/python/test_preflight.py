"""File-level checks of a raw folder: clear errors that name the file and column."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from loyalty_warehouse.db import connect, quote_path
from loyalty_warehouse.preflight import RawDataError, check_raw_dir


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_complete_folder_passes(small_raw: Path, tmp_path: Path) -> None:
    result = check_raw_dir(small_raw, tmp_path / "placeholders")
    assert not result.placeholders and not result.extra_columns
    assert set(result.locations) == {
        "raw_members",
        "raw_orders",
        "raw_interactions",
        "raw_ugc_post_metrics",
        "raw_campaigns",
        "raw_koc_participations",
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
    with pytest.raises(
        RawDataError, match="raw_orders.parquet: column paid_amount has type VARCHAR, the contract says double"
    ):
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
    with pytest.raises(
        RawDataError, match=rf"raw_campaigns.csv: line 7 has {width + 1} fields but the header has {width}"
    ):
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
    with pytest.raises(
        RawDataError,
        match="raw_campaigns.csv: column starts_at mixes time zones: line 2 has no offset, line 6 has offset",
    ):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_non_utc_offset_in_csv_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = _campaigns_as_csv(raw)
    _set_starts_at(path, 3, "2024-03-01 18:00:00+08:00")
    with pytest.raises(
        RawDataError,
        match=r"raw_campaigns.csv: column starts_at line 3 has '2024-03-01 18:00:00\+08:00' with a non-UTC offset",
    ):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_parquet_timestamps_with_a_zone_are_read_as_utc_instants(small_raw: Path, tmp_path: Path) -> None:
    """A zoned Parquet timestamp is an exact instant: accepted with a note, read in UTC under any TZ."""
    raw = _copy(small_raw, tmp_path / "raw")
    table = pq.read_table(raw / "raw_campaigns.parquet")
    position = table.schema.get_field_index("starts_at")
    shanghai = table["starts_at"].cast(pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us", tz="Asia/Shanghai"))
    pq.write_table(table.set_column(position, "starts_at", shanghai), raw / "raw_campaigns.parquet")
    result = check_raw_dir(raw, tmp_path / "placeholders")
    assert result.zoned_timestamps == {"raw_campaigns": ["starts_at (Asia/Shanghai)"]}
    assert any("read as the UTC instants they are: starts_at (Asia/Shanghai)" in note for note in result.notes())
    con = connect()
    read_back = con.execute(
        f"select cast(starts_at as timestamp) from {quote_path(result.locations['raw_campaigns'])}"
    ).fetchall()
    assert [row[0] for row in read_back] == table["starts_at"].to_pylist()


# --- every line and every row group is read, not a sample


def _interactions_as_csv(raw: Path) -> Path:
    path = raw / "raw_interactions.csv"
    pacsv.write_csv(pq.read_table(raw / "raw_interactions.parquet"), path)
    (raw / "raw_interactions.parquet").unlink()
    return path


def _set_field(path: Path, number: int, column: str, value: bytes) -> None:
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].replace('"', "").split(",")
    position = header.index(column)

    def change(line: bytes) -> bytes:
        fields = next(csv.reader([line.decode("utf-8")]))
        fields[position] = value.decode("utf-8")
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(fields)
        return out.getvalue().encode("utf-8")

    _replace_line(path, number, change)


def test_bad_csv_value_far_past_any_sample_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = _interactions_as_csv(raw)
    assert pq.read_metadata(small_raw / "raw_interactions.parquet").num_rows > 90_010
    _set_field(path, 90_005, "occurred_at", b"yesterday")
    with pytest.raises(
        RawDataError,
        match="raw_interactions.csv: column occurred_at should be timestamp but line 90005 has 'yesterday'",
    ):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_repeated_header_line_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = _campaigns_as_csv(raw)
    header = path.read_bytes().split(b"\n", 1)[0]
    _replace_line(path, 40, lambda line: header + b"\n" + line)
    with pytest.raises(RawDataError, match="raw_campaigns.csv: line 40 repeats the header"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_semicolon_delimited_csv_is_named_as_such(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = raw / "raw_campaigns.csv"
    pacsv.write_csv(pq.read_table(raw / "raw_campaigns.parquet"), path, pacsv.WriteOptions(delimiter=";"))
    (raw / "raw_campaigns.parquet").unlink()
    expected = "raw_campaigns.csv: the header is separated by ';'; the contract's CSV files use ','"
    with pytest.raises(RawDataError, match=expected):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_corrupt_parquet_page_is_named(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = raw / "raw_members.parquet"
    metadata = pq.read_metadata(path)
    city = next(
        metadata.row_group(0).column(i)
        for i in range(metadata.num_columns)
        if metadata.row_group(0).column(i).path_in_schema == "city"
    )
    data = bytearray(path.read_bytes())
    # garble the header of the city column's first data page; the footer stays readable
    start = city.data_page_offset
    data[start : start + 64] = bytes((i * 97 + 13) % 256 for i in range(64))
    path.write_bytes(bytes(data))
    expected = r"raw_members.parquet: row group 1 of \d+ cannot be read .*the file is corrupt"
    with pytest.raises(RawDataError, match=expected) as failure:
        check_raw_dir(raw, tmp_path / "placeholders")
    assert "\n" not in str(failure.value)


def test_invalid_utf8_in_parquet_text_names_the_column_and_row(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = raw / "raw_members.parquet"
    table = pq.read_table(path)
    cities = [value.encode("utf-8") if value is not None else None for value in table["city"].to_pylist()]
    cities[41] = "上海".encode("gbk")
    as_text = pa.array(cities, pa.binary()).view(pa.string())  # string type, bytes unchecked
    position = table.schema.get_field_index("city")
    pq.write_table(table.set_column(position, "city", as_text), path)
    with pytest.raises(RawDataError, match="raw_members.parquet: column city row 42 is not valid UTF-8 text"):
        check_raw_dir(raw, tmp_path / "placeholders")


def test_text_stored_as_bytes_is_accepted_and_noted(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    path = raw / "raw_members.parquet"
    table = pq.read_table(path)
    position = table.schema.get_field_index("city")
    pq.write_table(table.set_column(position, "city", table["city"].cast(pa.binary())), path)
    result = check_raw_dir(raw, tmp_path / "placeholders")
    assert result.binary_text_columns == {"raw_members": ["city"]}
    assert result.dbt_vars()["raw_binary_text_columns"] == {"raw_members": ["city"]}
    assert "raw_members: text stored as bytes, decoded as UTF-8: city" in result.notes()


def test_empty_interactions_table_builds_with_a_note(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    table = pq.read_table(raw / "raw_interactions.parquet")
    pq.write_table(table.slice(0, 0), raw / "raw_interactions.parquet")
    result = check_raw_dir(raw, tmp_path / "placeholders")
    assert result.empty_tables == ["raw_interactions"]
    assert any(
        note.startswith("optional table raw_interactions has no rows; engagement columns") and "KOC programme" in note
        for note in result.notes()
    )


def test_participations_without_campaigns_get_a_note(small_raw: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw, tmp_path / "raw")
    (raw / "raw_campaigns.parquet").unlink()
    result = check_raw_dir(raw, tmp_path / "placeholders")
    participations = pq.read_metadata(small_raw / "raw_koc_participations.parquet").num_rows
    assert (
        f"raw_koc_participations has {participations:,} rows but raw_campaigns is missing or empty: "
        "every participation will be held back (orphan_campaign_id); export raw_campaigns too"
    ) in result.notes()
