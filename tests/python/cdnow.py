"""The CDNOW sample (tests/data/fixtures/cdnow) converted to the project's raw contract.

Each of the 2,357 sample customers becomes a member registered at their first purchase; each
line of the file becomes one paid order (the dollar value as paid_amount, no discount or
refund) placed at noon UTC on its date. raw_interactions is written empty with the contract
schema: CDNOW has no member events.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from loyalty_warehouse.contract import TABLES_BY_NAME

CDNOW_FILE = Path(__file__).resolve().parents[1] / "data" / "fixtures" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = dt.date(1997, 9, 30)
CUSTOMERS = 2_357
LINES = 6_919


def read_cdnow(path: Path = CDNOW_FILE) -> list[tuple[int, dt.date, int, float]]:
    """(sample customer id, date, CDs, dollar value) per line; a malformed line stops with its number."""
    lines = []
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        fields = text.split()
        if len(fields) != 5:
            raise ValueError(f"{path}:{number}: expected 5 fields (ids, date, CDs, dollars), got {len(fields)}")
        _, customer, day, cds, dollars = fields
        lines.append((int(customer), dt.datetime.strptime(day, "%Y%m%d").date(), int(cds), float(dollars)))
    return lines


def _member_id(customer: int) -> str:
    return f"CDNOW{customer:05d}"


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12)


def _table(name: str, values: dict[str, list]) -> pa.Table:
    """A contract table: the given columns, every other contract column null."""
    schema = TABLES_BY_NAME[name].schema
    rows = len(next(iter(values.values()))) if values else 0
    columns = [pa.array(values.get(field.name, [None] * rows), type=field.type) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def write_raw_files(out_dir: Path, path: Path = CDNOW_FILE) -> Path:
    """Write raw_members, raw_orders and an empty raw_interactions (parquet) into ``out_dir``."""
    lines = read_cdnow(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    first_purchase: dict[int, dt.date] = {}
    for customer, day, _, _ in lines:
        first_purchase[customer] = min(day, first_purchase.get(customer, day))
    customers = sorted(first_purchase)
    members = _table(
        "raw_members",
        {
            "member_id": [_member_id(customer) for customer in customers],
            "registered_at": [_noon(first_purchase[customer]) for customer in customers],
        },
    )
    orders = _table(
        "raw_orders",
        {
            "order_id": [f"CDNOW-{number:06d}" for number in range(1, len(lines) + 1)],
            "member_id": [_member_id(customer) for customer, _, _, _ in lines],
            "ordered_at": [_noon(day) for _, day, _, _ in lines],
            "status": ["paid"] * len(lines),
            "gross_amount": [dollars for _, _, _, dollars in lines],
            "discount_amount": [0.0] * len(lines),
            "paid_amount": [dollars for _, _, _, dollars in lines],
            "refund_amount": [0.0] * len(lines),
        },
    )
    pq.write_table(members, out_dir / "raw_members.parquet")
    pq.write_table(orders, out_dir / "raw_orders.parquet")
    pq.write_table(_table("raw_interactions", {}), out_dir / "raw_interactions.parquet")
    return out_dir
