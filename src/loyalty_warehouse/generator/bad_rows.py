"""``--bad-rows``: a few rows of each bad-input class, appended after every block (the quarantine holds them back).

The rows are copies of rows of the first block with one thing broken, so everything else about
them is realistic; ``bad_rows_manifest.parquet`` lists each planted row's table, key and class.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

# Bad-input classes the --bad-rows option plants (the data-quality work quarantines them).
BAD_ROW_CLASSES = (
    "duplicate_id_different_content",
    "orphan_member_id",
    "negative_amount",
    "refund_exceeds_paid",
    "future_timestamp",
    "unknown_enum",
    "self_referral",
    "empty_string_id",
    "exact_replay",
    "absurd_amount",
    "before_brand_start",
    "referral_loop",
    "mixed_width_text",
    "late_arriving_event",
)
ROWS_PER_CLASS = 3
ABSURD_AMOUNT = 9.9e9
FULL_WIDTH_SPACE = "\u3000"


@dataclass
class BadRows:
    rows: dict[str, list[dict]] = field(
        default_factory=lambda: {"raw_orders": [], "raw_interactions": [], "raw_members": []}
    )
    manifest: list[dict] = field(default_factory=list)

    def add(self, table: str, row: dict, key_column: str, bad_class: str) -> None:
        self.rows[table].append(row)
        self.manifest.append({"table": table, "key": row[key_column], "bad_class": bad_class})


class _Planter:
    def __init__(self, source: dict[str, pa.Table], rng: np.random.Generator) -> None:
        self.source = source
        self.rng = rng
        self.planted = BadRows()

    def sample(self, table: str, **changes: object) -> dict:
        """A random row of the source table, with some columns changed."""
        rows = self.source[table]
        position = int(self.rng.integers(0, rows.num_rows))
        row = {name: values[0] for name, values in rows.slice(position, 1).to_pydict().items()}
        return row | changes

    def order(self, bad_class: str, **changes: object) -> None:
        self.planted.add("raw_orders", self.sample("raw_orders", **changes), "order_id", bad_class)

    def event(self, bad_class: str, **changes: object) -> None:
        self.planted.add("raw_interactions", self.sample("raw_interactions", **changes), "event_id", bad_class)

    def member(self, bad_class: str, **changes: object) -> None:
        self.planted.add("raw_members", self.sample("raw_members", **changes), "member_id", bad_class)


def plant_bad_rows(source: dict[str, pa.Table], rng: np.random.Generator) -> BadRows:
    """Bad rows built from ``source`` (the first block's raw_orders, raw_interactions, raw_members)."""
    planter = _Planter(source, rng)
    for round_number in range(ROWS_PER_CLASS):
        _plant_round(planter, round_number)
    return planter.planted


def _plant_round(planter: _Planter, round_number: int) -> None:
    original = planter.sample("raw_orders")
    changed = original | {"paid_amount": (original["paid_amount"] or 0) + 1.0 + round_number}
    planter.planted.add("raw_orders", changed, "order_id", "duplicate_id_different_content")
    planter.order("orphan_member_id", order_id=f"OBAD{round_number:04d}A", member_id=f"MNOSUCH{round_number}")
    planter.order("negative_amount", order_id=f"OBAD{round_number:04d}B", paid_amount=-50.0 - round_number)
    planter.order(
        "refund_exceeds_paid",
        order_id=f"OBAD{round_number:04d}C",
        status="partially_refunded",
        paid_amount=100.0,
        refund_amount=150.0 + round_number,
    )
    planter.event("future_timestamp", event_id=f"EBAD{round_number:04d}A", occurred_at=dt.datetime(2099, 1, 1))
    planter.event("unknown_enum", event_id=f"EBAD{round_number:04d}B", event_type="teleport")
    planter.event("empty_string_id", event_id=f"EBAD{round_number:04d}C", member_id="  ")
    planter.member("self_referral", member_id=f"MBAD{round_number:04d}", referrer_member_id=f"MBAD{round_number:04d}")
    planter.order("exact_replay")
    planter.order(
        "absurd_amount", order_id=f"OBAD{round_number:04d}E", gross_amount=ABSURD_AMOUNT, paid_amount=ABSURD_AMOUNT
    )
    planter.order("before_brand_start", order_id=f"OBAD{round_number:04d}F", ordered_at=dt.datetime(1970, 1, 1))
    # two new members who name each other as referrer
    first, second = f"MBAD{round_number:04d}L", f"MBAD{round_number:04d}M"
    planter.member("referral_loop", member_id=first, referrer_member_id=second)
    planter.member("referral_loop", member_id=second, referrer_member_id=first)
    # ideographic (full-width) spaces around a Chinese city name: kept, cleaned in staging
    planter.member(
        "mixed_width_text",
        member_id=f"MBAD{round_number:04d}W",
        referrer_member_id=None,
        city=f"{FULL_WIDTH_SPACE}上海{FULL_WIDTH_SPACE}",
    )
    # an old event delivered after the rest of the file: kept (see the decision log)
    planter.event("late_arriving_event", event_id=f"EBAD{round_number:04d}L")


def bad_rows_table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)
