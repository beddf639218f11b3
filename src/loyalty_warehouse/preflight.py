"""Check a folder of raw files against the contract before any model runs.

Members and orders are required; every other table may be missing or empty (a brand with only an
order history can build), and a missing one is replaced by an empty placeholder with the contract's
columns, with a note saying which public tables will then be empty. Each file is read whole:

- CSV: every line is UTF-8, uses the contract's `,` delimiter and has the header's number of fields;
  every value of a typed column (timestamp, number, boolean) casts to its type - on every line, not
  a sample; timestamps are UTC and written one way.
- Parquet: every column decodes (a corrupt page is named here, not deep inside dbt); text is valid
  UTF-8 (the column and row are named); text stored as bytes is accepted when it decodes, and the
  models decode it; a timestamp stored with a time zone is an exact instant and is read in UTC
  (noted), a naive one is taken to be UTC already.

Extra columns are tolerated and reported. Every error names the file, the column or line, and what
to do.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .contract import RAW_TABLES, RawTable
from .db import connect, quote_path

FORMATS = ("parquet", "csv")

# What a table's absence means for the public tables (shown as a note when it is missing or empty).
WITHOUT = {
    "raw_interactions": "engagement columns, stickiness, NPS, points from events, the onboarding steps after the "
    "first order, campaign touches and the whole KOC programme will be zero or empty; orders, RFM, pyramid, "
    "lifecycle, churn, levels and cohort retention still build",
    "raw_ugc_post_metrics": "UGC posts will have no exposure or interaction counts (content value, KOC upgrades and "
    "the leaderboard count posts only)",
    "raw_campaigns": "campaign performance will be empty and every KOC participation will be held back "
    "(orphan_campaign_id): a participation needs its campaign's type",
    "raw_koc_participations": "KOC entry comes from koc_campaign_join events only; reviews, eliminations and "
    "blacklists need participations and will not happen",
}


class RawDataError(Exception):
    """A raw file cannot be used; the message names the file and says what to do."""


@dataclass
class PreflightResult:
    locations: dict[str, str] = field(default_factory=dict)
    placeholders: list[str] = field(default_factory=list)
    empty_tables: list[str] = field(default_factory=list)
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    binary_text_columns: dict[str, list[str]] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    unknown_files: list[str] = field(default_factory=list)
    zoned_timestamps: dict[str, list[str]] = field(default_factory=dict)

    def notes(self) -> list[str]:
        lines = []
        for name in self.placeholders:
            lines.append(f"optional table {name} not found: building with an empty one; {WITHOUT[name]}")
        for name in self.empty_tables:
            lines.append(f"optional table {name} has no rows; {WITHOUT[name]}")
        participations = self.row_counts.get("raw_koc_participations", 0)
        if participations and not self.row_counts.get("raw_campaigns", 0):
            lines.append(
                f"raw_koc_participations has {participations:,} rows but raw_campaigns is missing or empty: "
                "every participation will be held back (orphan_campaign_id); export raw_campaigns too"
            )
        for name, cols in self.extra_columns.items():
            lines.append(f"{name}: extra columns ignored: {', '.join(cols)}")
        for name, cols in self.binary_text_columns.items():
            lines.append(f"{name}: text stored as bytes, decoded as UTF-8: {', '.join(cols)}")
        for name, cols in self.zoned_timestamps.items():
            zoned = ", ".join(cols)
            lines.append(f"{name}: timestamps stored with a time zone, read as the UTC instants they are: {zoned}")
        for name in self.unknown_files:
            lines.append(f"{name}: not a raw table of the contract, ignored")
        return lines

    def dbt_vars(self) -> dict:
        """The vars that point dbt at these files."""
        return {"raw_locations": dict(self.locations), "raw_binary_text_columns": dict(self.binary_text_columns)}


def _find_file(raw_dir: Path, table: RawTable) -> Path | None:
    found = [raw_dir / f"{table.name}.{fmt}" for fmt in FORMATS if (raw_dir / f"{table.name}.{fmt}").exists()]
    if len(found) > 1:
        raise RawDataError(f"{raw_dir}: both {found[0].name} and {found[1].name} exist; keep one file per raw table")
    if found and not found[0].is_file():
        raise RawDataError(f"{found[0]} is a folder; export the table as one {found[0].suffix[1:]} file")
    return found[0] if found else None


def _unknown_files(raw_dir: Path) -> list[str]:
    expected = {f"{t.name}.{fmt}" for t in RAW_TABLES for fmt in FORMATS}
    return sorted(p.name for p in raw_dir.iterdir() if p.name.startswith("raw_") and p.name not in expected)


def _describe(path: Path) -> dict[str, str]:
    con = connect()
    try:
        return {r[0]: r[1] for r in con.execute(f"describe select * from {quote_path(path)}").fetchall()}
    except duckdb.Error as exc:
        raise RawDataError(
            f"{path}: cannot be read ({str(exc).splitlines()[0]}); re-export it as Parquet or UTF-8 CSV with a header"
        ) from exc
    finally:
        con.close()


# DuckDB types a contract type accepts (staging casts them); varchar accepts text, and bytes that decode.
_ACCEPTED_TYPES = {
    "timestamp": ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE", "DATE"),
    "double": (
        "DOUBLE",
        "FLOAT",
        "DECIMAL",
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
    ),
    "bigint": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"),
    "boolean": ("BOOLEAN",),
    "varchar": ("VARCHAR", "BLOB"),
}
# a time zone designator after a time of day: Z, +08, +0800 or +08:00
_OFFSET = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$")
_UTC_OFFSET = re.compile(r"(Z|[+-]00(:?00)?)$")


def _check_parquet_types(path: Path, table: RawTable, types: dict[str, str]) -> None:
    for col in table.columns:
        found = types.get(col.name, "")
        if found.split("(")[0] not in _ACCEPTED_TYPES[col.sql_type]:
            raise RawDataError(
                f"{path}: column {col.name} has type {found}, the contract says {col.sql_type}; "
                f"re-export it as {col.sql_type} (docs/raw-contract.md)"
            )


def zoned_timestamp_columns(path: Path, table: RawTable) -> list[str]:
    """Timestamp columns stored with a time zone other than UTC, as 'column (zone)'.

    Parquet stores a zoned timestamp as the UTC instant plus the zone's name, so the instant is exact
    whatever the zone; every connection reads it in UTC (db.py). Only naive timestamps must already be UTC.
    """
    schema = pq.read_schema(path)
    zoned = []
    for col in table.columns:
        if col.sql_type != "timestamp" or col.name not in schema.names:
            continue
        arrow_type = schema.field(col.name).type
        if pa.types.is_timestamp(arrow_type) and arrow_type.tz not in (None, "UTC", "Etc/UTC", "+00:00"):
            zoned.append(f"{col.name} ({arrow_type.tz})")
    return zoned


def _one_line(exc: Exception) -> str:
    """A library's multi-line message on one line (every error of the preflight is one line)."""
    return " ".join(str(exc).split())


def _check_parquet_content(path: Path, table: RawTable) -> list[str]:
    """Read every row group of every contract column; return the text columns stored as bytes."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise RawDataError(f"{path}: not a readable Parquet file ({_one_line(exc)}); re-export it") from exc
    schema = parquet.schema_arrow
    wanted = [c for c in table.columns if c.name in schema.names]
    binary = [c.name for c in wanted if c.sql_type == "varchar" and pa.types.is_binary(schema.field(c.name).type)]
    text = [c.name for c in wanted if c.sql_type == "varchar" and c.name not in binary]
    first_row = 0
    for group in range(parquet.num_row_groups):
        try:
            batch = parquet.read_row_group(group, columns=[c.name for c in wanted])
        except (pa.ArrowException, OSError) as exc:
            raise RawDataError(
                f"{path}: row group {group + 1} of {parquet.num_row_groups} cannot be read ({_one_line(exc)}); "
                "the file is corrupt - export it again"
            ) from exc
        for name in text + binary:
            _check_utf8(path, name, batch[name], first_row, stored_as_bytes=name in binary)
        first_row += batch.num_rows
    return binary


def _check_utf8(path: Path, name: str, column: pa.ChunkedArray, first_row: int, stored_as_bytes: bool) -> None:
    as_bytes = column.cast(pa.large_binary()) if not stored_as_bytes else column
    try:
        pc.cast(as_bytes, pa.large_string())  # validates UTF-8
        return
    except pa.ArrowInvalid:
        pass
    for offset, value in enumerate(as_bytes.to_pylist()):
        if value is None:
            continue
        try:
            value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RawDataError(
                f"{path}: column {name} row {first_row + offset + 1} is not valid UTF-8 text ({exc.reason} at byte "
                f"{exc.start}); re-export the column as UTF-8"
            ) from exc


def _check_csv_lines(path: Path, table: RawTable) -> None:
    """Read a CSV line by line: UTF-8, the contract's delimiter, the header's number of fields, one
    time-zone convention."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RawDataError(
                    f"{path}: line {number} is not UTF-8 ({exc.reason} at byte {exc.start}); re-export the "
                    "file as UTF-8"
                ) from exc
    timestamp_columns = {c.name for c in table.columns if c.sql_type == "timestamp"}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        if len(header) == 1:
            for delimiter in (";", "\t", "|"):
                if delimiter in header[0]:
                    shown = "a tab" if delimiter == "\t" else f"'{delimiter}'"
                    raise RawDataError(
                        f"{path}: the header is separated by {shown}; the contract's CSV files use ',' - "
                        "export with comma delimiters"
                    )
        watched = [(i, name) for i, name in enumerate(header) if name in timestamp_columns]
        seen: dict[str, tuple[bool, int]] = {}
        for fields in reader:
            if fields == header:
                raise RawDataError(
                    f"{path}: line {reader.line_num} repeats the header; files joined together keep one header - "
                    "remove that line and re-export"
                )
            if len(fields) != len(header):
                raise RawDataError(
                    f"{path}: line {reader.line_num} has {len(fields)} fields but the header has {len(header)}; "
                    "fix the quoting or delimiters on that line and re-export"
                )
            for i, name in watched:
                value = fields[i].strip()
                if not value:
                    continue
                has_offset = _OFFSET.search(value) is not None
                if has_offset and not _UTC_OFFSET.search(value):
                    raise RawDataError(
                        f"{path}: column {name} line {reader.line_num} has {value!r} with a non-UTC offset; "
                        "timestamps must be UTC - convert them before exporting"
                    )
                first = seen.setdefault(name, (has_offset, reader.line_num))
                if first[0] != has_offset:
                    raise RawDataError(
                        f"{path}: column {name} mixes time zones: line {first[1]} "
                        f"{'has' if first[0] else 'has no'} offset, line {reader.line_num} "
                        f"{'has' if has_offset else 'has no'} offset; write every timestamp in UTC the same way"
                    )


def _check_csv_values(path: Path, table: RawTable, columns: list[str]) -> None:
    """Every value of every typed contract column casts to its type, on every line of the file."""
    typed = [c for c in table.columns if c.sql_type != "varchar" and c.name in columns]
    if not typed:
        return
    checks = ", ".join(
        f"min(case when nullif(trim(\"{c.name}\"), '') is not null "
        f'and try_cast(trim("{c.name}") as {c.sql_type}) is null '
        f'then line end) as "{c.name}"'
        for c in typed
    )
    con = connect()
    try:
        row = con.execute(
            f"""
            select {checks}
            from (
                select *, row_number() over () + 1 as line
                from read_csv({quote_path(path)}, all_varchar = true, header = true, delim = ',')
            ) as lines
            """
        ).fetchone()
        for col, line in zip(typed, row, strict=True):
            if line is None:
                continue
            value = con.execute(
                f"""select "{col.name}" from (
                    select "{col.name}", row_number() over () + 1 as line
                    from read_csv({quote_path(path)}, all_varchar = true, header = true, delim = ',')
                ) where line = {int(line)}"""
            ).fetchone()[0]
            raise RawDataError(
                f"{path}: column {col.name} should be {col.sql_type} but line {line} has {value!r}; "
                "fix or blank that value and re-export"
            )
    finally:
        con.close()


def _row_count(path: Path) -> int:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    con = connect()
    try:
        return con.execute(
            f"select count(*) from read_csv({quote_path(path)}, all_varchar = true, header = true, delim = ',')"
        ).fetchone()[0]
    finally:
        con.close()


def check_raw_dir(raw_dir: Path, placeholder_dir: Path) -> PreflightResult:
    """Validate ``raw_dir``; write placeholders for missing optional tables into ``placeholder_dir``."""
    if not raw_dir.exists():
        raise RawDataError(
            f"raw data folder {raw_dir} does not exist; run `loyalty generate --out {raw_dir}` or point "
            "--raw-dir at your export"
        )
    if not raw_dir.is_dir():
        raise RawDataError(f"{raw_dir} is a file; --raw-dir takes the folder that holds raw_members, raw_orders, ...")
    names = {f"{table.name}.{fmt}" for table in RAW_TABLES for fmt in FORMATS}
    if not any(path.name in names for path in raw_dir.iterdir()):
        raise RawDataError(
            f"raw data folder {raw_dir} holds none of the raw files (raw_members.parquet or .csv, raw_orders, "
            f"raw_interactions, ...); point --raw-dir at your export or run `loyalty generate --out {raw_dir}`"
        )
    result = PreflightResult(unknown_files=_unknown_files(raw_dir))
    for table in RAW_TABLES:
        path = _find_file(raw_dir, table)
        if path is None:
            if table.required:
                raise RawDataError(
                    f"{raw_dir}: required file {table.name}.parquet (or .csv) is missing; "
                    f"export it with the columns {', '.join(c.name for c in table.columns)}"
                )
            placeholder_dir.mkdir(parents=True, exist_ok=True)
            path = placeholder_dir / f"{table.name}.parquet"
            pq.write_table(table.schema.empty_table(), path)
            result.placeholders.append(table.name)
        if path.stat().st_size == 0:
            raise RawDataError(f"{path}: the file is empty (0 bytes); re-export it with a header and its rows")
        if path.suffix == ".csv":
            _check_csv_lines(path, table)
        types = _describe(path)
        missing = [c.name for c in table.columns if c.name not in types]
        if missing:
            raise RawDataError(
                f"{path}: required column(s) {', '.join(missing)} missing (found: {', '.join(types)}); "
                "rename or add them as described in the raw data contract (docs/raw-contract.md)"
            )
        extra = [c for c in types if c not in {col.name for col in table.columns}]
        if extra:
            result.extra_columns[table.name] = extra
        if path.suffix == ".csv":
            _check_csv_values(path, table, list(types))
        else:
            _check_parquet_types(path, table, types)
            binary = _check_parquet_content(path, table)
            if binary:
                result.binary_text_columns[table.name] = binary
            zoned = zoned_timestamp_columns(path, table)
            if zoned:
                result.zoned_timestamps[table.name] = zoned
        result.locations[table.name] = path.resolve().as_posix()
        result.row_counts[table.name] = _row_count(path)
        if result.row_counts[table.name] == 0:
            if table.required:
                raise RawDataError(f"{path}: required table {table.name} has no rows; export it again with its rows")
            if table.name not in result.placeholders:
                result.empty_tables.append(table.name)
    return result
