"""Purchase histories of one member block, and the raw_orders table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .. import contract
from .campaigns import Campaigns
from .columns import code, ids, names_of, timestamps
from .config import ARCHETYPES, DAY, NONE
from .members import MemberBlock, member_ids
from .registration import is_archetype
from .timeline import Timeline

ORDER_ID_DIGITS = 9
CATEGORIES = ("skincare", "makeup", "fragrance", "body_care", "hair_care", "accessories")
# Purchase rhythm per archetype: typical days between orders while active, and its spread between members.
DAYS_BETWEEN_ORDERS = {"prospect": np.inf, "regular": 260.0, "churner": 200.0, "super_user": 30.0, "koc": 40.0}
RHYTHM_SPREAD = {"prospect": 1.0, "regular": 1.1, "churner": 1.1, "super_user": 0.5, "koc": 0.6}
SUPER_USER_SPEND_LIFT = 1.6
STATUS_SHARES = {"paid": 0.87, "partially_refunded": 0.03, "refunded": 0.04, "cancelled": 0.06}
ORDER_CHANNEL_SHARES = {
    "mini_program": 0.34,
    "official_mall": 0.2,
    "store": 0.16,
    "wecom": 0.12,
    "live": 0.1,
    "public_platform": 0.08,
}
DISCOUNT_RATES, DISCOUNT_SHARES = (0.0, 0.05, 0.1, 0.2), (0.5, 0.2, 0.2, 0.1)
CAMPAIGN_ATTRIBUTED_SHARE = 0.15


@dataclass
class OrderBlock:
    """The orders of one member block, in time order (ties by member)."""

    member: np.ndarray
    ordered_at: np.ndarray
    status: np.ndarray
    gross: np.ndarray
    discount: np.ndarray
    paid: np.ndarray
    refund: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray  # NONE if the order is not attributed to a campaign
    traffic_product: np.ndarray
    category: np.ndarray

    @property
    def size(self) -> int:
        return len(self.member)

    def take(self, positions: np.ndarray) -> OrderBlock:
        return OrderBlock(**{name: values[positions] for name, values in vars(self).items()})

    def is_purchase(self) -> np.ndarray:
        return np.isin(
            self.status, [code(contract.ORDER_STATUSES, "paid"), code(contract.ORDER_STATUSES, "partially_refunded")]
        )


def _per_archetype(values: dict[str, float], archetype: np.ndarray) -> np.ndarray:
    return np.array([values[name] for name in ARCHETYPES])[archetype]


def plant_orders(
    members: MemberBlock, campaigns: Campaigns, timeline: Timeline, rng: np.random.Generator
) -> OrderBlock:
    first_order, stop = _buying_window(members, timeline, rng)
    buyer = ~is_archetype(members.archetype, "prospect") & (first_order < stop)
    per_member, regular_orders = _order_counts(members, rng, buyer, first_order, stop)
    local = np.repeat(np.arange(members.size), per_member)
    rank = np.arange(len(local)) - np.repeat(np.cumsum(per_member) - per_member, per_member)  # 0 = first order
    ordered_at = _order_times(members, timeline, rng, local, rank, regular_orders, first_order, stop)
    orders = _order_details(members, campaigns, rng, local, rank, ordered_at)
    order = np.lexsort((orders.member, orders.ordered_at))
    return OrderBlock(**{name: values[order] for name, values in vars(orders).items()})


def _buying_window(members: MemberBlock, timeline: Timeline, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """First purchase about 6 days after registering; buying stops at churn or the end of the relationship."""
    first_order = members.registered + rng.exponential(6 * DAY, size=members.size).astype(np.int64)
    stop = np.where(members.churn_at != NONE, members.churn_at, timeline.end)
    stop = np.where(members.ended_at != NONE, np.minimum(stop, members.ended_at), stop)
    return first_order, stop


def _order_counts(
    members: MemberBlock, rng: np.random.Generator, buyer: np.ndarray, first_order: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Orders per member (heavy-tailed by archetype), and how many of them fall before any churn."""
    spread = _per_archetype(RHYTHM_SPREAD, members.archetype)
    rate = np.exp(rng.normal(0, 1.0, size=members.size) * spread) / _per_archetype(
        DAYS_BETWEEN_ORDERS, members.archetype
    )
    active_days = np.where(buyer, (stop - first_order) / DAY, 0.0)
    repeat_orders = rng.poisson(rate * active_days * buyer)
    # Reactivated churners come back for a few orders after a long gap.
    orders_after_return = np.where(members.return_at != NONE, rng.poisson(3, size=members.size) + 1, 0)
    regular_orders = (1 + repeat_orders) * buyer
    return buyer + repeat_orders + orders_after_return, regular_orders


def _order_times(
    members: MemberBlock,
    timeline: Timeline,
    rng: np.random.Generator,
    local: np.ndarray,
    rank: np.ndarray,
    regular_orders: np.ndarray,
    first_order: np.ndarray,
    stop: np.ndarray,
) -> np.ndarray:
    """Seasonal instants in each member's buying window; the first order is the planted first purchase."""
    total = len(local)
    after_return = rank >= regular_orders[local]
    earliest = np.where(after_return, members.return_at[local], first_order[local])
    latest = np.where(after_return, timeline.end, stop[local])
    ordered_at = timeline.sample(earliest, latest, rng.random(total))
    ordered_at = ordered_at + rng.integers(0, DAY, size=total)
    ordered_at = np.where(rank == 0, first_order[local], np.clip(ordered_at, earliest, latest))
    return np.minimum(ordered_at, timeline.end)


def _order_details(
    members: MemberBlock,
    campaigns: Campaigns,
    rng: np.random.Generator,
    local: np.ndarray,
    rank: np.ndarray,
    ordered_at: np.ndarray,
) -> OrderBlock:
    total = len(local)
    lift = np.where(is_archetype(members.archetype[local], "super_user"), SUPER_USER_SPEND_LIFT, 1.0)
    gross = np.round(np.exp(rng.normal(np.log(160), 0.65, size=total)) * members.spend_multiplier[local] * lift, 2)
    discount = np.round(gross * rng.choice(DISCOUNT_RATES, size=total, p=DISCOUNT_SHARES), 2)
    paid = np.round(gross - discount, 2)
    status = rng.choice(
        len(contract.ORDER_STATUSES), size=total, p=[STATUS_SHARES[name] for name in contract.ORDER_STATUSES]
    )
    # a buyer's first order is a purchase, so first-purchase dates are planted facts
    status[rank == 0] = code(contract.ORDER_STATUSES, "paid")
    refund, paid = _refunds(rng, status, paid)
    channel = rng.choice(
        len(contract.ORDER_CHANNELS), size=total, p=[ORDER_CHANNEL_SHARES[name] for name in contract.ORDER_CHANNELS]
    )
    attributed = rng.random(total) < CAMPAIGN_ATTRIBUTED_SHARE
    campaign = np.where(attributed, campaigns.at(ordered_at, code(contract.CAMPAIGN_TYPES, "marketing")), NONE)
    traffic_product = np.where(rank == 0, rng.random(total) < 0.6, rng.random(total) < 0.15)
    return OrderBlock(
        member=members.number[local],
        ordered_at=ordered_at,
        status=status,
        gross=gross,
        discount=discount,
        paid=paid,
        refund=refund,
        channel=channel,
        campaign=campaign,
        traffic_product=traffic_product,
        category=rng.integers(0, len(CATEGORIES), size=total),
    )


def _refunds(rng: np.random.Generator, status: np.ndarray, paid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partial refunds of 10-70 %, full refunds, and cancelled orders (nothing paid)."""
    refund = np.zeros(len(status))
    partial = status == code(contract.ORDER_STATUSES, "partially_refunded")
    refund[partial] = np.round(paid[partial] * rng.uniform(0.1, 0.7, size=int(partial.sum())), 2)
    refunded = status == code(contract.ORDER_STATUSES, "refunded")
    refund[refunded] = paid[refunded]
    paid = np.where(status == code(contract.ORDER_STATUSES, "cancelled"), 0.0, paid)
    return refund, paid


def orders_table(orders: OrderBlock, numbers: np.ndarray, campaigns: Campaigns) -> pa.Table:
    """raw_orders rows; ``numbers`` are the orders' run-wide numbers (1-based), which make their ids."""
    is_private = orders.channel != code(contract.ORDER_CHANNELS, "public_platform")
    return pa.table(
        {
            "order_id": ids("O", numbers, ORDER_ID_DIGITS),
            "member_id": member_ids(orders.member),
            "ordered_at": timestamps(orders.ordered_at),
            "status": names_of(contract.ORDER_STATUSES, orders.status),
            "gross_amount": pa.array(orders.gross),
            "discount_amount": pa.array(orders.discount),
            "paid_amount": pa.array(orders.paid),
            "refund_amount": pa.array(orders.refund),
            "channel": names_of(contract.ORDER_CHANNELS, orders.channel),
            "is_private_domain": pa.array(is_private),
            "campaign_id": campaigns.id_column(orders.campaign),
            "contains_traffic_product": pa.array(orders.traffic_product),
            "first_item_category": names_of(CATEGORIES, orders.category),
        },
        schema=contract.TABLES_BY_NAME["raw_orders"].schema,
    )
