"""Check a folder of raw files against the contract before any model runs.

Required tables must be present, non-empty, with every contract column in a usable
type; optional tables that are missing are replaced by empty placeholder files with
the contract's columns, so a brand without (say) a campaign table can still build.
Extra columns are tolerated and reported. CSV files are also read line by line: a
line that is not UTF-8, a line with the wrong number of fields, and timestamps that
mix time zones (or carry a non-UTC offset) stop the build with the line number.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .contract import RAW_TABLES, RawTable

FORMATS = ("parquet", "csv")


class RawDataError(Exception):
    """A raw file cannot be used; the message names the file and says what to do."""


@dataclass
class PreflightResult:
    locations: dict[str, str] = field(default_factory=dict)
    placeholders: list[str] = field(default_factory=list)
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)

    def notes(self) -> list[str]:
        lines = [f"optional table {name} not found: building with an empty one" for name in self.placeholders]
        for name, cols in self.extra_columns.items():
            lines.append(f"{name}: extra columns ignored: {', '.join(cols)}")
        return lines


def _find_file(raw_dir: Path, table: RawTable) -> Path | None:
    found = [raw_dir / f"{table.name}.{fmt}" for fmt in FORMATS if (raw_dir / f"{table.name}.{fmt}").exists()]
    if len(found) > 1:
        raise RawDataError(
            f"{raw_dir}: both {found[0].name} and {found[1].name} exist; keep one file per raw table"
        )
    return found[0] if found else None


def _columns(path: Path) -> list[str]:
    con = duckdb.connect()
    try:
        rows = con.execute(f"describe select * from '{path.as_posix()}'").fetchall()
        return [r[0] for r in rows]
    except duckdb.Error as exc:
        raise RawDataError(f"{path}: cannot be read ({exc}); re-export the file as Parquet or UTF-8 CSV with a header") from exc
    finally:
        con.close()


# DuckDB types a contract type accepts (staging casts them); varchar accepts anything.
_ACCEPTED_TYPES = {
    "timestamp": ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE", "DATE"),
    "double": ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
               "UINTEGER", "USMALLINT", "UTINYINT"),
    "bigint": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"),
    "boolean": ("BOOLEAN",),
}
# a time zone designator after a time of day: Z, +08, +0800 or +08:00
_OFFSET = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$")
_UTC_OFFSET = re.compile(r"(Z|[+-]00(:?00)?)$")


def _types(path: Path) -> dict[str, str]:
    con = duckdb.connect()
    try:
        return {r[0]: r[1] for r in con.execute(f"describe select * from '{path.as_posix()}'").fetchall()}
    finally:
        con.close()


def _first_bad_csv_value(path: Path, column: str, sql_type: str) -> tuple[int, str] | None:
    """Line number and value of the first CSV value that does not cast to ``sql_type``."""
    con = duckdb.connect()
    try:
        row = con.execute(
            f"""
            select line, value from (
                select row_number() over () + 1 as line, "{column}" as value
                from read_csv('{path.as_posix()}', all_varchar = true, header = true)
            ) as lines
            where nullif(trim(value), '') is not null and try_cast(value as {sql_type}) is null
            order by line
            limit 1
            """
        ).fetchone()
        return (int(row[0]), row[1]) if row else None
    finally:
        con.close()


def _check_types(path: Path, table: RawTable) -> None:
    types = _types(path)
    for col in table.columns:
        accepted = _ACCEPTED_TYPES.get(col.sql_type)
        found = types.get(col.name, "")
        if accepted is None or found.split("(")[0] in accepted:
            continue
        if path.suffix == ".csv":
            bad = _first_bad_csv_value(path, col.name, col.sql_type)
            if bad is None:  # an all-empty CSV column is read as text; nothing to cast
                continue
            raise RawDataError(
                f"{path}: column {col.name} should be {col.sql_type} but line {bad[0]} has {bad[1]!r}; "
                f"fix or blank that value and re-export"
            )
        raise RawDataError(
            f"{path}: column {col.name} has type {found}, the contract says {col.sql_type}; "
            f"re-export it as {col.sql_type} (README, 'Raw data contract')"
        )


def _check_parquet_time_zones(path: Path, table: RawTable) -> None:
    schema = pq.read_schema(path)
    for col in table.columns:
        if col.sql_type != "timestamp" or col.name not in schema.names:
            continue
        arrow_type = schema.field(col.name).type
        if pa.types.is_timestamp(arrow_type) and arrow_type.tz not in (None, "UTC", "Etc/UTC", "+00:00"):
            raise RawDataError(
                f"{path}: column {col.name} is in time zone {arrow_type.tz}; timestamps must be UTC - "
                "convert them to UTC before exporting"
            )


def _check_csv_lines(path: Path, table: RawTable) -> None:
    """Read a CSV line by line: UTF-8, the header's number of fields, one time-zone convention."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RawDataError(
                    f"{path}: line {number} is not UTF-8 ({exc.reason} at byte {exc.start}); "
                    "re-export the file as UTF-8"
                ) from exc
    timestamp_columns = {c.name for c in table.columns if c.sql_type == "timestamp"}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        watched = [(i, name) for i, name in enumerate(header) if name in timestamp_columns]
        seen: dict[str, tuple[bool, int]] = {}
        for fields in reader:
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
                        f"{'has' if first[0] else 'has no'} offset, line {reader.line_num} {'has' if has_offset else 'has no'} "
                        "offset; write every timestamp in UTC the same way"
                    )


def _row_count(path: Path) -> int:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    con = duckdb.connect()
    try:
        return con.execute(f"select count(*) from '{path.as_posix()}'").fetchone()[0]
    finally:
        con.close()


def check_raw_dir(raw_dir: Path, placeholder_dir: Path) -> PreflightResult:
    """Validate ``raw_dir``; write placeholders for missing optional tables into ``placeholder_dir``."""
    if not raw_dir.is_dir():
        raise RawDataError(f"raw data folder {raw_dir} does not exist; run `loyalty generate --out {raw_dir}` or point --raw-dir at your export")
    names = {f"{table.name}.{fmt}" for table in RAW_TABLES for fmt in FORMATS}
    if not any(path.name in names for path in raw_dir.iterdir()):
        raise RawDataError(
            f"raw data folder {raw_dir} holds none of the raw files (raw_members.parquet or .csv, raw_orders, "
            f"raw_interactions, ...); point --raw-dir at your export or run `loyalty generate --out {raw_dir}`"
        )
    result = PreflightResult()
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
        columns = _columns(path)
        missing = [c.name for c in table.columns if c.name not in columns]
        if missing:
            raise RawDataError(
                f"{path}: required column(s) {', '.join(missing)} missing (found: {', '.join(columns)}); "
                "rename or add them as described in the raw data contract (README, 'Raw data contract')"
            )
        extra = [c for c in columns if c not in {col.name for col in table.columns}]
        if extra:
            result.extra_columns[table.name] = extra
        _check_types(path, table)
        if path.suffix == ".parquet":
            _check_parquet_time_zones(path, table)
        result.locations[table.name] = path.resolve().as_posix()
        result.row_counts[table.name] = _row_count(path)
        if result.row_counts[table.name] == 0 and table.required:
            raise RawDataError(
                f"{path}: required table {table.name} has no rows; export it again with its rows"
            )
    return result
