"""The campaign calendar: one campaign of each type per month, shared by every block."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .. import contract
from .columns import codes, names_of, timestamps, values_or_null
from .config import DAY, GeneratorConfig, epoch_seconds
from .timeline import Timeline

# Per campaign type: typical cost (CNY) and the channel it runs in.
CAMPAIGN_COSTS = {
    "all_category_share": 3000,
    "new_product_review": 8000,
    "evergreen_experience": 6000,
    "seeding": 5000,
    "online_activity": 2000,
    "marketing": 30000,
    "challenge": 1500,
}
CAMPAIGN_CHANNELS = {
    "all_category_share": "app",
    "new_product_review": "store",
    "evergreen_experience": "store",
    "seeding": "xiaohongshu",
    "online_activity": "mini_program",
    "marketing": "official_account",
    "challenge": "wechat_group",
}
KOC_FEEDBACK_DUE_DAYS = 14


def month_starts(cfg: GeneratorConfig) -> list[dt.date]:
    months, month = [], cfg.start_date.replace(day=1)
    while month <= cfg.end_date:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class Campaigns:
    ids: np.ndarray  # campaign id text, one per campaign
    names: np.ndarray
    month: np.ndarray  # index into month_start
    campaign_type: np.ndarray  # index into contract.CAMPAIGN_TYPES
    starts: np.ndarray
    ends: np.ndarray
    cost: np.ndarray
    channel: np.ndarray  # index into contract.PLATFORMS
    month_start: np.ndarray  # epoch seconds of each calendar month

    def at(self, instants: np.ndarray, campaign_type: int | np.ndarray) -> np.ndarray:
        """Index of the campaign of the given type in the month containing each instant."""
        month = np.searchsorted(self.month_start, instants, side="right") - 1
        return month * len(contract.CAMPAIGN_TYPES) + campaign_type

    def id_column(self, campaign: np.ndarray) -> pa.Array:
        """Campaign ids for campaign indexes; NONE becomes null."""
        return names_of(tuple(self.ids), campaign)

    def type_column(self, campaign: np.ndarray) -> pa.Array:
        return names_of(
            contract.CAMPAIGN_TYPES, np.where(campaign >= 0, self.campaign_type[np.maximum(campaign, 0)], -1)
        )


def plan_campaigns(cfg: GeneratorConfig, timeline: Timeline, rng: np.random.Generator) -> Campaigns:
    months = month_starts(cfg)
    type_count = len(contract.CAMPAIGN_TYPES)
    month = np.repeat(np.arange(len(months)), type_count)
    campaign_type = np.tile(np.arange(type_count), len(months))
    starts = np.array([epoch_seconds(months[index]) for index in month], dtype=np.int64)
    ends = np.minimum(starts + rng.integers(14, 28, size=len(starts)) * DAY, timeline.end)
    typical_cost = np.array([CAMPAIGN_COSTS[name] for name in contract.CAMPAIGN_TYPES], dtype=float)[campaign_type]
    cost = np.round(typical_cost * np.exp(rng.normal(0, 0.3, size=len(starts))), 2)
    channel = codes(contract.PLATFORMS, *(CAMPAIGN_CHANNELS[name] for name in contract.CAMPAIGN_TYPES))[campaign_type]
    return Campaigns(
        ids=np.array(
            [
                f"C{months[month_index]:%Y%m}{type_index:02d}"
                for month_index, type_index in zip(month, campaign_type, strict=True)
            ],
            dtype=object,
        ),
        names=np.array(
            [
                f"{months[month_index]:%Y-%m} {contract.CAMPAIGN_TYPES[type_index]}"
                for month_index, type_index in zip(month, campaign_type, strict=True)
            ],
            dtype=object,
        ),
        month=month,
        campaign_type=campaign_type,
        starts=starts,
        ends=ends,
        cost=cost,
        channel=channel,
        month_start=np.array([epoch_seconds(start) for start in months], dtype=np.int64),
    )


def campaigns_table(campaigns: Campaigns) -> pa.Table:
    is_koc_campaign = np.isin(campaigns.campaign_type, codes(contract.CAMPAIGN_TYPES, *contract.KOC_CAMPAIGN_TYPES))
    due_days = np.full(len(is_koc_campaign), KOC_FEEDBACK_DUE_DAYS, dtype=np.int64)
    return pa.table(
        {
            "campaign_id": pa.array(campaigns.ids, pa.string()),
            "campaign_name": pa.array(campaigns.names, pa.string()),
            "campaign_type": names_of(contract.CAMPAIGN_TYPES, campaigns.campaign_type),
            "channel": names_of(contract.PLATFORMS, campaigns.channel),
            "starts_at": timestamps(campaigns.starts),
            "ends_at": timestamps(campaigns.ends),
            "cost": pa.array(campaigns.cost),
            "feedback_due_days": values_or_null(due_days, ~is_koc_campaign),
        },
        schema=contract.TABLES_BY_NAME["raw_campaigns"].schema,
    )
