"""Check a folder of raw files against the contract before any model runs.

Required tables must be present with every contract column; optional tables that
are missing are replaced by empty placeholder files with the contract's columns,
so a brand without (say) a campaign table can still build. Extra columns are
tolerated and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
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
        result.locations[table.name] = path.resolve().as_posix()
        result.row_counts[table.name] = _row_count(path)
    return result
