"""Parquet output written as the blocks come: one open writer per file, row groups of about a million rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 1_000_000
COMPRESSION = "zstd"


def dictionary_columns(schema: pa.Schema, unique_columns: tuple[str, ...]) -> list[str]:
    """Text and flag columns, whose few distinct values dictionary encoding shrinks; not ids that
    are unique, nor instants and amounts, where trying a dictionary only costs time."""
    return [
        column.name
        for column in schema
        if (pa.types.is_string(column.type) or pa.types.is_boolean(column.type)) and column.name not in unique_columns
    ]


class StreamedTable:
    """Appends blocks to one Parquet file. Small blocks are held until a row group's worth has come,
    so the file's row groups do not depend on the block size more than they must."""

    def __init__(self, path: Path, schema: pa.Schema, unique_columns: tuple[str, ...] = ()) -> None:
        self.path = path
        self.schema = schema
        self.rows = 0
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._writer = pq.ParquetWriter(
            path, schema, compression=COMPRESSION, use_dictionary=dictionary_columns(schema, unique_columns)
        )

    def write(self, table: pa.Table) -> None:
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self.rows += table.num_rows
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush(whole_row_groups_only=True)

    def _flush(self, whole_row_groups_only: bool) -> None:
        pending = pa.concat_tables(self._pending) if self._pending else None
        self._pending, self._pending_rows = [], 0
        if pending is None:
            return
        ready = (pending.num_rows // ROW_GROUP_ROWS) * ROW_GROUP_ROWS if whole_row_groups_only else pending.num_rows
        if ready:
            self._writer.write_table(pending.slice(0, ready), row_group_size=ROW_GROUP_ROWS)
        if ready < pending.num_rows:
            self._pending, self._pending_rows = [pending.slice(ready)], pending.num_rows - ready

    def close(self) -> None:
        self._flush(whole_row_groups_only=False)
        self._writer.close()


class RawFiles:
    """The run's output files, by table name (``<name>.parquet`` in the output folder)."""

    def __init__(self, out_dir: Path, schemas: dict[str, pa.Schema], keys: dict[str, str]) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.tables = {
            name: StreamedTable(out_dir / f"{name}.parquet", schema, unique_columns=(keys.get(name, ""),))
            for name, schema in schemas.items()
        }

    def write(self, name: str, table: pa.Table) -> None:
        self.tables[name].write(table)

    def rows(self, name: str) -> int:
        return self.tables[name].rows

    def close(self) -> None:
        for table in self.tables.values():
            table.close()

    def __enter__(self) -> RawFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
