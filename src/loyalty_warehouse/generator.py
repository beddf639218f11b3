"""Synthetic raw data for the warehouse: realistic, deterministic and vectorised.

Same arguments -> byte-identical files. Every random draw comes from a named
stream derived from the seed, so adding a draw to one table does not shift the
others. The generator plants behaviours (super users, KOCs, dormant KOCs, churners,
members who end the relationship) and writes them to ``ground_truth.parquet`` so
tests can measure whether the marts recover them.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import contract as C

DAY = 86_400
# Bump when the generated data changes for the same arguments (demo data is then regenerated).
GENERATOR_VERSION = 5
ARCHETYPES = ("prospect", "regular", "churner", "super_user", "koc")
# Share of members per archetype; KOCs are further split into sub-behaviours below.
ARCHETYPE_SHARES = (0.18, 0.46, 0.16, 0.17, 0.03)
KOC_BEHAVIOURS = ("steady", "dormant", "posting_only_decline", "graduate")
KOC_BEHAVIOUR_SHARES = (0.45, 0.30, 0.15, 0.10)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class GeneratorConfig:
    members: int = 50_000
    seed: int = 42
    start_date: dt.date = dt.date(2023, 1, 1)
    end_date: dt.date = dt.date(2024, 12, 31)
    bad_rows: bool = False
    replay_share: float = 0.001  # at-least-once delivery: exact duplicate rows

    def __post_init__(self) -> None:
        if self.members < 100:
            raise ValueError("--members must be at least 100 so every behaviour can be planted")
        if (self.end_date - self.start_date).days < 365:
            raise ValueError("the date range must span at least 365 days (use --start/--end)")


def _epoch(d: dt.date) -> int:
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp())


class _Streams:
    """Independent, named random streams derived from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(self, name: str) -> np.random.Generator:
        key = [self.seed] + [ord(ch) for ch in name]
        return np.random.default_rng(np.random.SeedSequence(key))


def _ids(prefix: str, n: int, width: int) -> pa.Array:
    # large_string while padding: at tens of millions of ids the padded buffer passes 2 GB
    numbers = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.large_string())
    large = pa.large_string()
    padded = pc.utf8_lpad(numbers, width, "0")
    return pc.cast(pc.binary_join_element_wise(pa.scalar(prefix, large), padded, pa.scalar("", large)), pa.string())


def _ts(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    micros = seconds.astype(np.int64) * 1_000_000
    return pa.array(micros, type=pa.int64(), mask=mask).cast(pa.timestamp("us"))


def _choice(values: tuple[str, ...], idx: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    dictionary = pa.array(values, type=pa.string())
    return pc.take(dictionary, pa.array(idx.astype(np.int32), mask=mask))


def _season_weights(n_days: int, start: dt.date) -> np.ndarray:
    """Daily weight: growth over time, peaks around 6.18 and 11.11, weekend lift."""
    days = np.arange(n_days)
    dates = np.array([start + dt.timedelta(days=int(i)) for i in days])
    doy = np.array([d.timetuple().tm_yday for d in dates])
    weekday = np.array([d.weekday() for d in dates])
    growth = 1.0 + days / n_days
    peak_618 = 1.2 * np.exp(-0.5 * ((doy - 169) / 6.0) ** 2)
    peak_1111 = 2.0 * np.exp(-0.5 * ((doy - 315) / 5.0) ** 2)
    weekend = np.where(weekday >= 5, 1.15, 1.0)
    return growth * (1.0 + peak_618 + peak_1111) * weekend


class _Timeline:
    """Seasonal sampling of days between two instants, by inverse CDF."""

    def __init__(self, cfg: GeneratorConfig) -> None:
        self.t0 = _epoch(cfg.start_date)
        self.t_end = _epoch(cfg.end_date) + DAY - 1
        self.n_days = (cfg.end_date - cfg.start_date).days + 1
        w = _season_weights(self.n_days, cfg.start_date)
        self.cdf = np.concatenate([[0.0], np.cumsum(w) / w.sum()])

    def sample(self, lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Seasonally weighted instants in [lo, hi] (epoch seconds), one per u."""
        pos_lo = np.clip((lo - self.t0) / DAY, 0, self.n_days)
        pos_hi = np.clip((hi - self.t0) / DAY, 0, self.n_days)
        c_lo = np.interp(pos_lo, np.arange(self.n_days + 1), self.cdf)
        c_hi = np.interp(pos_hi, np.arange(self.n_days + 1), self.cdf)
        pos = np.interp(c_lo + u * (c_hi - c_lo), self.cdf, np.arange(self.n_days + 1))
        t = self.t0 + (pos * DAY).astype(np.int64)
        return np.clip(t, lo, hi).astype(np.int64)


# --------------------------------------------------------------------------- members


def _members(cfg: GeneratorConfig, rs: _Streams, tl: _Timeline) -> dict[str, np.ndarray]:
    n = cfg.members
    rng = rs("members")
    archetype = rng.choice(len(ARCHETYPES), size=n, p=ARCHETYPE_SHARES)
    koc_behaviour = np.where(
        archetype == ARCHETYPES.index("koc"),
        rng.choice(len(KOC_BEHAVIOURS), size=n, p=KOC_BEHAVIOUR_SHARES),
        -1,
    )
    span = tl.t_end - tl.t0
    # KOCs and super users are long-standing members: register them early enough
    # that their behaviour (and any decline) is visible in the data.
    latest = np.full(n, tl.t_end - 45 * DAY, dtype=np.int64)
    latest[archetype == ARCHETYPES.index("super_user")] = tl.t0 + int(span * 0.6)
    latest[archetype == ARCHETYPES.index("koc")] = tl.t0 + int(span * 0.35)
    latest[archetype == ARCHETYPES.index("churner")] = tl.t0 + int(span * 0.7)
    registered = tl.sample(np.full(n, tl.t0), latest, rng.random(n))
    registered = registered + rng.integers(0, DAY, size=n)
    registered = np.minimum(registered, latest)
    # Member ids follow registration order, as a CRM would issue them.
    order = np.argsort(registered, kind="stable")
    registered = registered[order]
    archetype = archetype[order]
    koc_behaviour = koc_behaviour[order]

    # Referrals: 15 % of members were referred by an earlier member, mostly by
    # super users and KOCs (the advocates), otherwise by anyone earlier.
    is_advocate = np.isin(archetype, [ARCHETYPES.index("super_user"), ARCHETYPES.index("koc")])
    advocates = np.flatnonzero(is_advocate)
    referred = rng.random(n) < 0.15
    referrer = np.full(n, -1, dtype=np.int64)
    idx = np.arange(n)
    k = np.searchsorted(advocates, idx)  # advocates registered before member i
    use_advocate = referred & (k > 0) & (rng.random(n) < 0.7)
    pick = (rng.random(n) * np.maximum(k, 1)).astype(np.int64)
    referrer[use_advocate] = advocates[np.minimum(pick[use_advocate], len(advocates) - 1)]
    use_anyone = referred & ~use_advocate & (idx > 0)
    referrer[use_anyone] = (rng.random(n)[use_anyone] * idx[use_anyone]).astype(np.int64)

    channel_p = np.array([0.16, 0.12, 0.08, 0.05, 0.2, 0.1, 0.12, 0.0, 0.1, 0.07])
    channel = rng.choice(len(C.ACQUISITION_CHANNELS), size=n, p=channel_p / channel_p.sum())
    channel[referrer >= 0] = C.ACQUISITION_CHANNELS.index("referral")

    birth_year = rng.integers(1965, 2008, size=n)
    koc_mask = archetype == ARCHETYPES.index("koc")
    birth_year[koc_mask] = rng.integers(1994, 2008, size=int(koc_mask.sum()))  # KOC portrait 16-30
    gender = rng.choice(3, size=n, p=[0.68, 0.27, 0.05])
    city_tier = rng.choice(4, size=n, p=[0.3, 0.35, 0.2, 0.15])

    platform_bits = (rng.random((n, 3)) < np.array([0.35, 0.4, 0.2])).astype(np.int64)
    platform_bits[koc_mask] = np.maximum(platform_bits[koc_mask], [1, 0, 0])
    follower = np.where(
        koc_mask,
        np.exp(rng.normal(np.log(2500), 0.9, size=n)),
        np.exp(rng.normal(np.log(80), 1.3, size=n)),
    ).astype(np.int64)
    has_platform = platform_bits.sum(axis=1) > 0

    wecom_lag = rng.exponential(2 * DAY, size=n).astype(np.int64)
    wecom_followed = np.where(rng.random(n) < 0.72, registered + wecom_lag, -1)
    group_lag = rng.exponential(4 * DAY, size=n).astype(np.int64)
    group_joined = np.where((wecom_followed >= 0) & (rng.random(n) < 0.6), wecom_followed + group_lag, -1)
    community_mask = (group_joined >= 0) | np.isin(archetype, [3, 4])
    group_joined = np.where(community_mask & (group_joined < 0), registered + group_lag, group_joined)

    # Churn and reactivation for churners; dormancy / decline onsets for KOCs.
    churn_at = np.full(n, -1, dtype=np.int64)
    churn_mask = archetype == ARCHETYPES.index("churner")
    lo = registered + 60 * DAY
    churn_at[churn_mask] = (lo + rng.random(n) * np.maximum(tl.t_end - 120 * DAY - lo, DAY))[churn_mask].astype(
        np.int64
    )
    reactivated = churn_mask & (rng.random(n) < 0.2) & (churn_at < tl.t_end - 300 * DAY)
    return_at = np.where(reactivated, churn_at + (rng.integers(150, 240, size=n) * DAY), -1)

    behaviour_change_at = np.full(n, -1, dtype=np.int64)
    changes = koc_behaviour >= 1  # dormant, posting-only decline, graduate
    behaviour_change_at[changes] = tl.t_end - rng.integers(150, 240, size=int(changes.sum())) * DAY

    ended_at = np.full(n, -1, dtype=np.int64)
    end_reason = np.full(n, -1, dtype=np.int64)
    graduate = koc_behaviour == KOC_BEHAVIOURS.index("graduate")
    ended_at[graduate] = behaviour_change_at[graduate]
    end_reason[graduate] = rng.choice(2, size=int(graduate.sum()))  # asset_sold / asset_traded_in
    closed = (archetype == ARCHETYPES.index("regular")) & (rng.random(n) < 0.01)
    ended_at[closed] = (registered + rng.random(n) * (tl.t_end - registered))[closed].astype(np.int64)
    end_reason[closed] = C.RELATIONSHIP_END_REASONS.index("account_closed")

    is_store = rng.random(n) < 0.25
    cities = rng.integers(0, len(_CITIES), size=n)
    return dict(
        n=np.int64(n),
        archetype=archetype,
        koc_behaviour=koc_behaviour,
        registered=registered,
        referrer=referrer,
        channel=channel,
        birth_year=birth_year,
        birth_known=rng.random(n) < 0.8,
        gender=gender,
        city=cities,
        city_tier=city_tier,
        is_store=is_store,
        is_community=community_mask,
        platform_bits=platform_bits,
        has_platform=has_platform,
        follower=follower,
        wecom_followed=wecom_followed,
        group_joined=group_joined,
        churn_at=churn_at,
        return_at=return_at,
        behaviour_change_at=behaviour_change_at,
        ended_at=ended_at,
        end_reason=end_reason,
        spend_multiplier=np.exp(rng.normal(0, 0.55, size=n)),
    )


_CITIES = ("上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "长沙", "苏州", "厦门")


def _members_table(m: dict[str, np.ndarray]) -> pa.Table:
    n = int(m["n"])
    ids = _ids("M", n, 8)
    referrer = m["referrer"]
    platforms = np.array(["", *C.SOCIAL_PLATFORMS], dtype=object)
    bits = m["platform_bits"]
    joined = np.char.add(
        np.char.add(np.where(bits[:, 0] == 1, "xiaohongshu,", ""), np.where(bits[:, 1] == 1, "douyin,", "")),
        np.where(bits[:, 2] == 1, "weibo,", ""),
    )
    social = pc.utf8_rtrim(pa.array(joined.astype(str)), ",")
    social = pc.if_else(pc.equal(social, ""), pa.scalar(None, pa.string()), social)
    del platforms
    columns = {
        "member_id": ids,
        "registered_at": _ts(m["registered"]),
        "acquisition_channel": _choice(C.ACQUISITION_CHANNELS, m["channel"]),
        "referrer_member_id": pc.take(ids, pa.array(np.maximum(referrer, 0), mask=referrer < 0)),
        "birth_year": pa.array(m["birth_year"], mask=~m["birth_known"]),
        "gender": _choice(C.GENDERS, m["gender"]),
        "city": _choice(_CITIES, m["city"]),
        "city_tier": _choice(C.CITY_TIERS, m["city_tier"]),
        "is_store_user": pa.array(m["is_store"]),
        "is_community_user": pa.array(m["is_community"]),
        "social_platforms": social,
        "follower_count": pa.array(m["follower"], mask=~m["has_platform"]),
        "wecom_followed_at": _ts(m["wecom_followed"], mask=m["wecom_followed"] < 0),
        "group_joined_at": _ts(m["group_joined"], mask=m["group_joined"] < 0),
        "relationship_ended_at": _ts(m["ended_at"], mask=m["ended_at"] < 0),
        "relationship_end_reason": _choice(C.RELATIONSHIP_END_REASONS, np.maximum(m["end_reason"], 0), mask=m["end_reason"] < 0),
    }
    return pa.table(columns, schema=C.TABLES_BY_NAME["raw_members"].schema)


# --------------------------------------------------------------------------- campaigns


def _campaigns(cfg: GeneratorConfig, rs: _Streams, tl: _Timeline) -> dict[str, np.ndarray]:
    """Monthly campaign calendar: one campaign of each type per month."""
    rng = rs("campaigns")
    months = []
    d = cfg.start_date.replace(day=1)
    while d <= cfg.end_date:
        months.append(d)
        d = (d + dt.timedelta(days=32)).replace(day=1)
    n_types = len(C.CAMPAIGN_TYPES)
    month_idx = np.repeat(np.arange(len(months)), n_types)
    type_idx = np.tile(np.arange(n_types), len(months))
    starts = np.array([_epoch(months[i]) for i in month_idx], dtype=np.int64)
    ends = np.minimum(starts + rng.integers(14, 28, size=len(starts)) * DAY, tl.t_end)
    base_cost = np.array([3000, 8000, 6000, 5000, 2000, 30000, 1500], dtype=float)[type_idx]
    cost = np.round(base_cost * np.exp(rng.normal(0, 0.3, size=len(starts))), 2)
    labels = [f"{months[i]:%Y-%m} {C.CAMPAIGN_TYPES[t]}" for i, t in zip(month_idx, type_idx)]
    ids = [f"C{months[i]:%Y%m}{t:02d}" for i, t in zip(month_idx, type_idx)]
    channel = np.array([5, 6, 6, 7, 2, 3, 1])[type_idx]  # video_account, app, ..., see PLATFORMS
    return dict(
        ids=np.array(ids, dtype=object),
        names=np.array(labels, dtype=object),
        month_idx=month_idx,
        type_idx=type_idx,
        starts=starts,
        ends=ends,
        cost=cost,
        channel=channel,
        month_starts=np.array([_epoch(m) for m in months], dtype=np.int64),
    )


def _campaign_at(camp: dict[str, np.ndarray], t: np.ndarray, type_index: int | np.ndarray) -> np.ndarray:
    """Index of the campaign of the given type in the month containing instant t."""
    month = np.searchsorted(camp["month_starts"], t, side="right") - 1
    return month * len(C.CAMPAIGN_TYPES) + type_index


def _campaigns_table(camp: dict[str, np.ndarray]) -> pa.Table:
    koc_type = np.isin(camp["type_idx"], [C.CAMPAIGN_TYPES.index(x) for x in C.KOC_CAMPAIGN_TYPES])
    return pa.table(
        {
            "campaign_id": pa.array(camp["ids"], pa.string()),
            "campaign_name": pa.array(camp["names"], pa.string()),
            "campaign_type": _choice(C.CAMPAIGN_TYPES, camp["type_idx"]),
            "channel": _choice(C.PLATFORMS, camp["channel"]),
            "starts_at": _ts(camp["starts"]),
            "ends_at": _ts(camp["ends"]),
            "cost": pa.array(camp["cost"]),
            "feedback_due_days": pa.array(np.full(len(koc_type), 14, dtype=np.int64), mask=~koc_type),
        },
        schema=C.TABLES_BY_NAME["raw_campaigns"].schema,
    )


# --------------------------------------------------------------------------- orders


def _orders(cfg: GeneratorConfig, rs: _Streams, tl: _Timeline, m: dict, camp: dict) -> pa.Table:
    rng = rs("orders")
    n = int(m["n"])
    arch = m["archetype"]
    # Orders per day while active: heavy-tailed, by archetype.
    base_days_between = np.array([np.inf, 260.0, 200.0, 30.0, 40.0])[arch]
    sigma = np.array([1.0, 1.1, 1.1, 0.5, 0.6])[arch]
    rate = np.exp(rng.normal(0, 1.0, size=n) * sigma) / base_days_between
    first = m["registered"] + rng.exponential(6 * DAY, size=n).astype(np.int64)
    stop = np.full(n, tl.t_end, dtype=np.int64)
    stop = np.where(m["churn_at"] >= 0, m["churn_at"], stop)
    stop = np.where(m["ended_at"] >= 0, np.minimum(stop, m["ended_at"]), stop)
    buyer = (arch != ARCHETYPES.index("prospect")) & (first < stop)
    active_days = np.where(buyer, (stop - first) / DAY, 0.0)
    extra = rng.poisson(rate * active_days * buyer)
    # Reactivated churners come back for a few orders after a long gap.
    back = m["return_at"] >= 0
    extra_back = np.where(back, rng.poisson(3, size=n) + 1, 0)

    counts = buyer.astype(np.int64) + extra + extra_back
    member = np.repeat(np.arange(n), counts)
    k = np.arange(len(member)) - np.repeat(np.cumsum(counts) - counts, counts)  # 0..count-1
    total = len(member)
    u = rng.random(total)
    n_regular = 1 + extra
    in_back = k >= np.repeat(n_regular * buyer, counts)
    lo = np.where(in_back, m["return_at"][member], first[member])
    hi = np.where(in_back, tl.t_end, stop[member])
    t = tl.sample(lo, hi, u)
    t = t + rng.integers(0, DAY, size=total)
    t = np.where(k == 0, first[member], np.clip(t, lo, hi))
    t = np.minimum(t, tl.t_end)

    mult = m["spend_multiplier"][member] * np.where(arch[member] == ARCHETYPES.index("super_user"), 1.6, 1.0)
    gross = np.round(np.exp(rng.normal(np.log(160), 0.65, size=total)) * mult, 2)
    discount = np.round(gross * rng.choice([0.0, 0.05, 0.1, 0.2], size=total, p=[0.5, 0.2, 0.2, 0.1]), 2)
    paid = np.round(gross - discount, 2)
    status = rng.choice(4, size=total, p=[0.87, 0.03, 0.04, 0.06])
    # the first order of a buyer is a purchase, so first-order dates are planted facts
    status[k == 0] = 0
    refund = np.zeros(total)
    partial = status == 1
    refund[partial] = np.round(paid[partial] * rng.uniform(0.1, 0.7, size=int(partial.sum())), 2)
    refund[status == 2] = paid[status == 2]
    cancelled = status == 3
    paid[cancelled] = 0.0

    channel = rng.choice(len(C.ORDER_CHANNELS), size=total, p=[0.34, 0.2, 0.16, 0.12, 0.1, 0.08])
    is_private = channel != C.ORDER_CHANNELS.index("public_platform")
    attributed = rng.random(total) < 0.15
    camp_idx = _campaign_at(camp, t, C.CAMPAIGN_TYPES.index("marketing"))
    traffic = np.where(k == 0, rng.random(total) < 0.6, rng.random(total) < 0.15)
    category = rng.integers(0, len(_CATEGORIES), size=total)

    order = np.lexsort((member, t))
    member_ids = _ids("M", n, 8)
    table = pa.table(
        {
            "order_id": _ids("O", total, 9),
            "member_id": pc.take(member_ids, pa.array(member[order])),
            "ordered_at": _ts(t[order]),
            "status": _choice(C.ORDER_STATUSES, status[order]),
            "gross_amount": pa.array(gross[order]),
            "discount_amount": pa.array(discount[order]),
            "paid_amount": pa.array(paid[order]),
            "refund_amount": pa.array(refund[order]),
            "channel": _choice(C.ORDER_CHANNELS, channel[order]),
            "is_private_domain": pa.array(is_private[order]),
            "campaign_id": pc.take(pa.array(camp["ids"], pa.string()), pa.array(camp_idx[order], mask=~attributed[order])),
            "contains_traffic_product": pa.array(traffic[order]),
            "first_item_category": _choice(_CATEGORIES, category[order]),
        },
        schema=C.TABLES_BY_NAME["raw_orders"].schema,
    )
    return table


_CATEGORIES = ("skincare", "makeup", "fragrance", "body_care", "hair_care", "accessories")

# --------------------------------------------------------------------------- interactions

# Generic engagement mix per archetype: expected events per day for each event type.
_ENGAGEMENT_TYPES = (
    "login",
    "community_visit",
    "content_view",
    "like",
    "comment",
    "favorite",
    "share",
    "check_in",
    "activity_join",
    "seeding_activity_join",
    "ugc_post",
    "complaint",
    "service_rating",
    "nps_response",
)
#                         login visit view  like  cmnt  fav  share chk  act   seed  post  cmpl  rate  nps
_RATES = {
    "prospect": np.array([0.02, 0.01, 0.03, 0.01, 0.002, 0.002, 0.001, 0.005, 0.002, 0.0, 0.0, 0.0, 0.0, 0.001]),
    "regular": np.array([0.06, 0.03, 0.08, 0.03, 0.008, 0.006, 0.004, 0.02, 0.006, 0.001, 0.0005, 0.0008, 0.002, 0.003]),
    "churner": np.array([0.05, 0.02, 0.06, 0.02, 0.005, 0.004, 0.002, 0.01, 0.004, 0.0005, 0.0003, 0.002, 0.002, 0.003]),
    "super_user": np.array([0.2, 0.1, 0.25, 0.12, 0.05, 0.03, 0.04, 0.15, 0.03, 0.01, 0.006, 0.0005, 0.004, 0.004]),
    "koc": np.array([0.35, 0.2, 0.45, 0.25, 0.12, 0.06, 0.05, 0.15, 0.06, 0.03, 0.09, 0.0005, 0.003, 0.004]),
}
# Multipliers applied after the behaviour change of a KOC sub-behaviour.
_AFTER_CHANGE = {
    "dormant": np.array([0.15, 0.1, 0.3, 0.12, 0.1, 0.2, 0.1, 0.1, 0.05, 0.05, 0.05, 1.0, 1.0, 1.0]),
    "posting_only_decline": np.array([1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.05, 1.0, 1.0, 1.0]),
    "graduate": np.zeros(14),
}


class _EventBuffer:
    """Collects event columns from several generators before one table is built."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, member: np.ndarray, t: np.ndarray, event_type: int | np.ndarray, **cols: np.ndarray) -> None:
        size = len(member)
        if size == 0:
            return
        part = {"member": member.astype(np.int64), "t": t.astype(np.int64)}
        part["event_type"] = np.broadcast_to(np.asarray(event_type, dtype=np.int64), (size,)).copy()
        for name in _OPTIONAL_EVENT_FIELDS:
            default = _OPTIONAL_EVENT_FIELDS[name]
            value = cols.pop(name, default)
            part[name] = np.broadcast_to(np.asarray(value), (size,)).copy()
        if cols:
            raise TypeError(f"unknown event fields {sorted(cols)}")
        self.parts.append(part)

    def concat(self) -> dict[str, np.ndarray]:
        keys = self.parts[0].keys()
        return {k: np.concatenate([p[k] for p in self.parts]) for k in keys}


_OPTIONAL_EVENT_FIELDS: dict[str, object] = {
    "platform": -1,
    "content": -1,  # index into the post ids, or -2/-3 for the two survey ids
    "campaign": -1,
    "related": -1,
    "score": -1,
    "points": -1,
    "message_type": -1,
    "tag_key": -1,
    "tag_value": -1,
}
_TAG_KEYS = ("skin_type", "interest", "badge")
_TAG_VALUES = ("dry", "oily", "combination", "sensitive", "skincare", "makeup", "fragrance", *C.BADGES)


def _interactions(
    cfg: GeneratorConfig, rs: _Streams, tl: _Timeline, m: dict, camp: dict, orders: pa.Table
) -> tuple[_EventBuffer, int]:
    rng = rs("interactions")
    n = int(m["n"])
    arch = m["archetype"]
    beh = m["koc_behaviour"]
    buf = _EventBuffer()
    et = {name: i for i, name in enumerate(C.EVENT_TYPES)}

    # 1. Generic engagement, as piecewise-constant Poisson processes per member and type.
    start = m["registered"]
    end = np.full(n, tl.t_end, dtype=np.int64)
    end = np.where(m["ended_at"] >= 0, np.minimum(end, m["ended_at"]), end)
    churned_end = np.where(m["churn_at"] >= 0, m["churn_at"] + 20 * DAY, end)
    end = np.minimum(end, churned_end)
    change = np.where(m["behaviour_change_at"] >= 0, m["behaviour_change_at"], end)
    change = np.clip(change, start, end)
    rate_matrix = 0.22 * np.stack([_RATES[ARCHETYPES[a]] for a in range(len(ARCHETYPES))])[arch]
    intensity = np.exp(rng.normal(0, 0.4, size=n))[:, None]
    after = np.ones_like(rate_matrix)
    for name, mult in _AFTER_CHANGE.items():
        after[beh == KOC_BEHAVIOURS.index(name)] = mult
    # A churner's trickle of activity continues at a low level after churn.
    seg_lo = np.stack([start, change])
    seg_hi = np.stack([change, end])
    seg_rates = np.stack([rate_matrix * intensity, rate_matrix * intensity * after])
    days = ((seg_hi - seg_lo) / DAY)[:, :, None]
    counts = rng.poisson(seg_rates * days)  # segment x member x type
    seg_idx, mem_idx, type_idx = np.nonzero(counts)
    reps = counts[seg_idx, mem_idx, type_idx]
    member = np.repeat(mem_idx, reps)
    seg = np.repeat(seg_idx, reps)
    etype_local = np.repeat(type_idx, reps)
    lo = seg_lo[seg, member]
    hi = seg_hi[seg, member]
    t = lo + (rng.random(len(member)) * (hi - lo)).astype(np.int64)
    etype = np.array([et[x] for x in _ENGAGEMENT_TYPES])[etype_local]

    size = len(member)
    platform = rng.choice([0, 1, 2, 3, 5, 6], size=size, p=[0.3, 0.3, 0.2, 0.1, 0.05, 0.05])
    is_post = etype == et["ugc_post"]
    public_post = is_post & (rng.random(size) < 0.7)
    platform[public_post] = rng.choice([7, 8, 9], size=int(public_post.sum()), p=[0.6, 0.3, 0.1])
    platform[is_post & ~public_post] = 4  # video_account
    platform[etype == et["check_in"]] = 2  # mini_program
    campaign = np.full(size, -1, dtype=np.int64)
    act = etype == et["activity_join"]
    act_type = rng.choice([C.CAMPAIGN_TYPES.index("online_activity"), C.CAMPAIGN_TYPES.index("challenge")], size=size)
    campaign[act] = _campaign_at(camp, t[act], act_type[act])
    seed_join = etype == et["seeding_activity_join"]
    campaign[seed_join] = _campaign_at(camp, t[seed_join], C.CAMPAIGN_TYPES.index("seeding"))
    score = np.full(size, -1, dtype=np.int64)
    nps = etype == et["nps_response"]
    nps_mean = np.array([6.0, 7.5, 5.0, 9.2, 9.0])[arch[member]]
    score[nps] = np.clip(np.round(rng.normal(nps_mean, 1.6)), 0, 10).astype(np.int64)[nps]
    rating = etype == et["service_rating"]
    score[rating] = rng.choice([1, 2, 3, 4, 5], size=int(rating.sum()), p=[0.04, 0.06, 0.15, 0.35, 0.4])
    buf.add(member, t, etype, platform=platform, campaign=campaign, score=score)

    # 2. Onboarding events consistent with the member table.
    follow = m["wecom_followed"] >= 0
    ids = np.flatnonzero(follow)
    buf.add(ids, m["wecom_followed"][ids], et["wecom_follow"], platform=0)
    ids = np.flatnonzero(m["group_joined"] >= 0)
    buf.add(ids, m["group_joined"][ids], et["group_join"], platform=1)
    q = np.flatnonzero(follow & (rng.random(n) < 0.45))
    tag = rng.integers(0, 4, size=len(q))
    buf.add(q, m["wecom_followed"][q] + rng.integers(600, 3 * DAY, size=len(q)), et["survey_completed"],
            platform=2, content=-2, tag_key=0, tag_value=tag)
    b = np.flatnonzero(follow & (rng.random(n) < 0.3))
    buf.add(b, m["wecom_followed"][b] + rng.integers(300, DAY, size=len(b)), et["blind_box_draw"], platform=2)
    o = np.flatnonzero(follow & (rng.random(n) < 0.4))
    buf.add(o, m["wecom_followed"][o] + rng.integers(DAY, 5 * DAY, size=len(o)), et["one_to_one_contact"], platform=0)

    # Post-order survey after the first purchase.
    first_order = _first_order_times(orders, n)
    s = np.flatnonzero((first_order >= 0) & (rng.random(n) < 0.35))
    buf.add(s, first_order[s] + rng.integers(DAY, 6 * DAY, size=len(s)), et["survey_completed"],
            platform=2, content=-3, tag_key=1, tag_value=rng.integers(4, 7, size=len(s)))

    # 3. Referrals: an invite shortly before, and a registration event for the referrer.
    r = np.flatnonzero(m["referrer"] >= 0)
    referrer = m["referrer"][r]
    reg = m["registered"][r]
    invite_at = np.maximum(reg - rng.integers(3600, 7 * DAY, size=len(r)), m["registered"][referrer])
    buf.add(referrer, invite_at, et["referral_invite"], platform=0, related=r)
    buf.add(referrer, reg, et["referral_registered"], platform=0, related=r)

    # 4. Points redemptions, within what the member earned on two purchases.
    redeem_member, redeem_at, redeem_points = _redemptions(rng, orders, n)
    buf.add(redeem_member, redeem_at, et["points_redeem"], platform=2, points=redeem_points)

    # 5. Outbound messages: generic notifications and, for dormant KOCs, wake-up messages.
    g = np.flatnonzero(follow)
    n_msgs = rng.poisson(np.maximum((tl.t_end - m["wecom_followed"][g]) / DAY, 0) / 45)
    gm = np.repeat(g, n_msgs)
    gt = m["wecom_followed"][gm] + (rng.random(len(gm)) * (tl.t_end - m["wecom_followed"][gm])).astype(np.int64)
    buf.add(gm, gt, et["message_received"], platform=0, message_type=0)
    dormant = np.flatnonzero(beh == KOC_BEHAVIOURS.index("dormant"))
    wake_t = m["behaviour_change_at"][dormant] + rng.integers(100, 140, size=len(dormant)) * DAY
    keep = wake_t < tl.t_end
    buf.add(dormant[keep], wake_t[keep], et["message_received"], platform=0, message_type=1,
            tag_key=1, tag_value=rng.integers(4, 7, size=int(keep.sum())))

    # 6. Graduation of KOCs who sold or traded in: farewell post, graduation, badge, alumni roles.
    grad = np.flatnonzero(beh == KOC_BEHAVIOURS.index("graduate"))
    ga = m["ended_at"][grad]
    buf.add(grad, ga - DAY, et["farewell_post"], platform=1)
    buf.add(grad, ga + DAY, et["graduation"], platform=0)
    buf.add(grad, ga + 2 * DAY, et["badge_granted"], platform=0, tag_key=2,
            tag_value=7 + rng.integers(0, 2, size=len(grad)))
    adv = grad[rng.random(len(grad)) < 0.5]
    buf.add(adv, np.minimum(m["ended_at"][adv] + 30 * DAY, tl.t_end), et["advisory_session"], platform=0)
    men = grad[rng.random(len(grad)) < 0.4]
    buf.add(men, np.minimum(m["ended_at"][men] + 45 * DAY, tl.t_end), et["mentor_session"], platform=1)

    return buf, int(size)


def _first_order_times(orders: pa.Table, n: int) -> np.ndarray:
    member = _member_index(orders["member_id"])
    t = orders["ordered_at"].cast(pa.int64()).to_numpy() // 1_000_000
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, member, t)
    return np.where(first == np.iinfo(np.int64).max, -1, first)


def _member_index(col: pa.ChunkedArray) -> np.ndarray:
    return pc.cast(pc.utf8_slice_codeunits(col, 1), pa.int64()).to_numpy() - 1


def _redemptions(rng: np.random.Generator, orders: pa.Table, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members with two or more purchases redeem at most half of what those two earned."""
    member = _member_index(orders["member_id"])
    t = orders["ordered_at"].cast(pa.int64()).to_numpy() // 1_000_000
    status = orders["status"].to_numpy(zero_copy_only=False)
    net = orders["paid_amount"].to_numpy() - orders["refund_amount"].to_numpy()
    purchase = np.isin(status, ["paid", "partially_refunded"])
    member, t, net = member[purchase], t[purchase], net[purchase]
    order = np.lexsort((t, member))
    member, t, net = member[order], t[order], net[order]
    starts = np.flatnonzero(np.r_[True, member[1:] != member[:-1]])
    has_second = np.r_[starts[1:], len(member)] - starts >= 2
    first_idx = starts[has_second]
    who = member[first_idx]
    pick = rng.random(len(who)) < 0.35
    first_idx, who = first_idx[pick], who[pick]
    earned = np.floor(net[first_idx]) + np.floor(net[first_idx + 1])
    points = np.floor(earned * rng.uniform(0.1, 0.5, size=len(who))).astype(np.int64)
    ok = points > 0
    when = t[first_idx + 1] + rng.integers(3600, 20 * DAY, size=len(who))
    return who[ok], when[ok], points[ok]


# --------------------------------------------------------------------------- KOC participations and posts


def _koc_programme(
    cfg: GeneratorConfig, rs: _Streams, tl: _Timeline, m: dict, camp: dict, buf: _EventBuffer
) -> dict[str, np.ndarray]:
    """KOC campaign participations; each submitted feedback is also a ugc_post event."""
    rng = rs("koc")
    beh = m["koc_behaviour"]
    kocs = np.flatnonzero(beh >= 0)
    koc_since = m["registered"][kocs] + rng.integers(10, 60, size=len(kocs)) * DAY
    stop = np.where(m["behaviour_change_at"][kocs] >= 0, m["behaviour_change_at"][kocs], tl.t_end)
    # Posting-only decliners keep joining campaigns but stop delivering posts.
    stop = np.where(beh[kocs] == KOC_BEHAVIOURS.index("posting_only_decline"), tl.t_end, stop)
    n_months = np.maximum((stop - koc_since) // (30 * DAY), 0)
    share_joins = rng.binomial(n_months, 0.5) + 1  # the first all-category share is the entry ticket
    review_joins = rng.binomial(np.maximum(n_months - 3, 0), 0.3)
    who = np.concatenate([np.repeat(np.arange(len(kocs)), share_joins), np.repeat(np.arange(len(kocs)), review_joins)])
    is_review = np.concatenate([np.zeros(share_joins.sum(), bool), np.ones(review_joins.sum(), bool)])
    first_share = np.r_[True, np.diff(who[: share_joins.sum()]) != 0]
    lo = np.where(is_review, koc_since[who] + 90 * DAY, koc_since[who])
    hi = np.maximum(stop[who] - 20 * DAY, lo + DAY)
    joined = lo + (rng.random(len(who)) * (hi - lo)).astype(np.int64)
    joined[: share_joins.sum()][first_share] = koc_since[who[: share_joins.sum()][first_share]]
    joined = np.minimum(joined, tl.t_end - 2 * DAY)
    review_type = rng.choice([C.CAMPAIGN_TYPES.index("new_product_review"), C.CAMPAIGN_TYPES.index("evergreen_experience")], size=len(who))
    ctype = np.where(is_review, review_type, C.CAMPAIGN_TYPES.index("all_category_share"))
    campaign = _campaign_at(camp, joined, ctype)
    shipped = joined + rng.integers(1, 5, size=len(who)) * DAY
    due = shipped + 14 * DAY
    # on time, late, missing, non-compliant: a lapse on a review campaign blacklists a KOC for good, so lapses are rare
    outcome = rng.choice(4, size=len(who), p=[0.95, 0.02, 0.02, 0.01])
    # Planted dormant KOCs fade in good standing: they kept every feedback rule, so the ground truth
    # never marks as dormant a KOC whom the programme had already blacklisted.
    outcome[beh[kocs][who] == KOC_BEHAVIOURS.index("dormant")] = 0
    submitted = np.where(outcome == 1, due + rng.integers(1, 10, size=len(who)) * DAY,
                         shipped + rng.integers(2, 13, size=len(who)) * DAY)
    missing = (outcome == 2) | (submitted > tl.t_end)
    compliant = outcome != 3
    member = kocs[who]
    order = np.lexsort((member, joined))
    member, joined, campaign, shipped, due, submitted, missing, compliant, ctype = (
        a[order] for a in (member, joined, campaign, shipped, due, submitted, missing, compliant, ctype)
    )
    shipped_known = shipped <= tl.t_end
    # Feedback posts (public on xiaohongshu mostly) go into the event stream.
    post_rows = np.flatnonzero(~missing)
    buf.add(member[post_rows], submitted[post_rows], C.EVENT_TYPES.index("ugc_post"), platform=7,
            campaign=campaign[post_rows], content=-4 - post_rows)  # resolved to post ids later
    return dict(member=member, joined=joined, campaign=campaign, shipped=shipped, due=due,
                submitted=submitted, missing=missing, compliant=compliant, shipped_known=shipped_known,
                post_rows=post_rows)


def _finish_events(
    cfg: GeneratorConfig, rs: _Streams, tl: _Timeline, m: dict, camp: dict, buf: _EventBuffer, part: dict
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Assign ids, resolve post ids and build interactions, post metrics and participations."""
    rng = rs("posts")
    ev = buf.concat()
    et_post = C.EVENT_TYPES.index("ugc_post")
    keep = ev["t"] <= tl.t_end
    ev = {k: v[keep] for k, v in ev.items()}
    order = np.lexsort((ev["event_type"], ev["member"], ev["t"]))
    ev = {k: v[order] for k, v in ev.items()}
    size = len(ev["t"])

    # Posts get ids in publication order.
    is_post = ev["event_type"] == et_post
    post_number = np.cumsum(is_post) * is_post  # 1.. for posts, 0 otherwise
    n_posts = int(is_post.sum())
    post_ids = _ids("P", max(n_posts, 1), 8)
    participation_post = np.full(len(part["member"]), -1, dtype=np.int64)
    from_part = is_post & (ev["content"] <= -4)
    participation_post[-4 - ev["content"][from_part]] = post_number[from_part] - 1

    content = pc.take(post_ids, pa.array(np.maximum(post_number - 1, 0), mask=~is_post))
    survey = np.isin(ev["content"], [-2, -3])
    survey_ids = pa.array(np.where(ev["content"] == -2, C.SURVEY_IDS[0], C.SURVEY_IDS[1]), pa.string())
    content = pc.if_else(pa.array(survey), survey_ids, content)

    member_ids = _ids("M", int(m["n"]), 8)
    campaign_types = camp["type_idx"]
    has_campaign = ev["campaign"] >= 0
    platform = ev["platform"]
    public = np.isin(platform, [C.PLATFORMS.index(p) for p in C.PUBLIC_PLATFORMS])
    interactions = pa.table(
        {
            "event_id": _ids("E", size, 10),
            "member_id": pc.take(member_ids, pa.array(ev["member"])),
            "occurred_at": _ts(ev["t"]),
            "event_type": _choice(C.EVENT_TYPES, ev["event_type"]),
            "platform": _choice(C.PLATFORMS, np.maximum(platform, 0), mask=platform < 0),
            "is_public_domain": pa.array(public),
            "content_id": content,
            "campaign_id": pc.take(pa.array(camp["ids"], pa.string()), pa.array(np.maximum(ev["campaign"], 0), mask=~has_campaign)),
            "campaign_type": _choice(C.CAMPAIGN_TYPES, campaign_types[np.maximum(ev["campaign"], 0)], mask=~has_campaign),
            "related_member_id": pc.take(member_ids, pa.array(np.maximum(ev["related"], 0), mask=ev["related"] < 0)),
            "score": pa.array(ev["score"], mask=ev["score"] < 0),
            "points": pa.array(ev["points"], mask=ev["points"] < 0),
            "message_type": _choice(C.MESSAGE_TYPES, np.maximum(ev["message_type"], 0), mask=ev["message_type"] < 0),
            "tag_key": _choice(_TAG_KEYS, np.maximum(ev["tag_key"], 0), mask=ev["tag_key"] < 0),
            "tag_value": _choice(_TAG_VALUES, np.maximum(ev["tag_value"], 0), mask=ev["tag_value"] < 0),
        },
        schema=C.TABLES_BY_NAME["raw_interactions"].schema,
    )

    # Post metrics: snapshots 1, 7 and 30 days after publication (cumulative counts).
    post_member = ev["member"][is_post]
    post_at = ev["t"][is_post]
    post_platform = platform[is_post]
    post_public = public[is_post]
    followers = m["follower"][post_member].astype(float)
    reach = np.where(post_public, 40.0, 3.0) * np.exp(rng.normal(0, 1.0, size=n_posts)) * np.sqrt(followers + 50)
    final_exposures = np.round(reach * 10).astype(np.int64)
    engagement = rng.beta(2, 40, size=n_posts)
    final = {
        "likes": np.round(final_exposures * engagement * 0.6).astype(np.int64),
        "comments": np.round(final_exposures * engagement * 0.15).astype(np.int64),
        "favorites": np.round(final_exposures * engagement * 0.2).astype(np.int64),
        "shares": np.round(final_exposures * engagement * 0.05).astype(np.int64),
    }
    snapshots = []
    for lag, share in ((1, 0.45), (7, 0.85), (30, 1.0)):
        observed = post_at + lag * DAY
        ok = observed <= tl.t_end
        idx = np.flatnonzero(ok)
        snap = {
            "post": idx,
            "observed": observed[idx],
            "exposures": np.floor(final_exposures[idx] * share).astype(np.int64),
        }
        for key, values in final.items():
            snap[key] = np.floor(values[idx] * share).astype(np.int64)
        snapshots.append(snap)
    snap = {k: np.concatenate([s[k] for s in snapshots]) for k in snapshots[0]}
    order = np.lexsort((snap["observed"], snap["post"]))
    snap = {k: v[order] for k, v in snap.items()}
    metrics = pa.table(
        {
            "post_id": pc.take(post_ids, pa.array(snap["post"])),
            "member_id": pc.take(member_ids, pa.array(post_member[snap["post"]])),
            "platform": _choice(C.PLATFORMS, post_platform[snap["post"]]),
            "published_at": _ts(post_at[snap["post"]]),
            "observed_at": _ts(snap["observed"]),
            "exposures": pa.array(snap["exposures"]),
            "likes": pa.array(snap["likes"]),
            "comments": pa.array(snap["comments"]),
            "favorites": pa.array(snap["favorites"]),
            "shares": pa.array(snap["shares"]),
        },
        schema=C.TABLES_BY_NAME["raw_ugc_post_metrics"].schema,
    )

    n_part = len(part["member"])
    participations = pa.table(
        {
            "participation_id": _ids("K", n_part, 7),
            "campaign_id": pc.take(pa.array(camp["ids"], pa.string()), pa.array(part["campaign"])),
            "member_id": pc.take(member_ids, pa.array(part["member"])),
            "joined_at": _ts(part["joined"]),
            "product_shipped_at": _ts(part["shipped"], mask=~part["shipped_known"]),
            "feedback_due_at": _ts(part["due"], mask=~part["shipped_known"]),
            "feedback_submitted_at": _ts(part["submitted"], mask=part["missing"]),
            "feedback_compliant": pa.array(part["compliant"], mask=part["missing"]),
            "post_id": pc.take(post_ids, pa.array(np.maximum(participation_post, 0), mask=participation_post < 0)),
        },
        schema=C.TABLES_BY_NAME["raw_koc_participations"].schema,
    )
    return interactions, metrics, participations


# --------------------------------------------------------------------------- replays, bad rows, ground truth


def _with_replays(table: pa.Table, share: float, rng: np.random.Generator) -> tuple[pa.Table, int]:
    """Append exact copies of a few rows (at-least-once delivery), in time order."""
    n_copies = int(round(table.num_rows * share))
    if n_copies == 0:
        return table, 0
    picks = np.sort(rng.choice(table.num_rows, size=n_copies, replace=False))
    positions = np.concatenate([np.arange(table.num_rows), picks])
    positions = positions[np.argsort(positions, kind="stable")]
    return table.take(pa.array(positions)), n_copies


def _ground_truth(m: dict, tl: _Timeline) -> pa.Table:
    n = int(m["n"])
    arch = m["archetype"]
    beh = m["koc_behaviour"]
    is_koc = beh >= 0
    churned_for_good = (m["churn_at"] >= 0) & (m["return_at"] < 0)
    return pa.table(
        {
            "member_id": _ids("M", n, 8),
            "archetype": _choice(ARCHETYPES, arch),
            "koc_behaviour": _choice(KOC_BEHAVIOURS, np.maximum(beh, 0), mask=~is_koc),
            # KOCs are planted high-value too: the value model counts content and social value (spec C05)
            "is_super_user": pa.array(np.isin(arch, [ARCHETYPES.index("super_user"), ARCHETYPES.index("koc")])),
            "is_koc": pa.array(is_koc),
            "is_dormant_koc": pa.array(beh == KOC_BEHAVIOURS.index("dormant")),
            "is_posting_only_decline": pa.array(beh == KOC_BEHAVIOURS.index("posting_only_decline")),
            "is_graduated_koc": pa.array(beh == KOC_BEHAVIOURS.index("graduate")),
            "is_churned": pa.array(churned_for_good),
            "is_reactivated": pa.array(m["return_at"] >= 0),
            "churned_at": _ts(m["churn_at"], mask=m["churn_at"] < 0),
            "reactivated_at": _ts(m["return_at"], mask=m["return_at"] < 0),
            "behaviour_change_at": _ts(m["behaviour_change_at"], mask=m["behaviour_change_at"] < 0),
        }
    )


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


def _inject_bad_rows(tables: dict[str, pa.Table], rng: np.random.Generator, tl: _Timeline) -> list[dict]:
    """Append a few rows of each bad-input class and return a manifest of them."""
    manifest: list[dict] = []
    orders = tables["raw_orders"]
    events = tables["raw_interactions"]
    members = tables["raw_members"]

    def take_row(table: pa.Table, i: int) -> dict:
        return {k: v[0] for k, v in table.slice(i, 1).to_pydict().items()}

    new_orders, new_events, new_members = [], [], []
    for k in range(3):
        row = take_row(orders, int(rng.integers(0, orders.num_rows)))
        dup = dict(row, paid_amount=(row["paid_amount"] or 0) + 1.0 + k)
        new_orders.append(dup)
        manifest.append({"table": "raw_orders", "key": dup["order_id"], "bad_class": "duplicate_id_different_content"})

        orphan = dict(take_row(orders, int(rng.integers(0, orders.num_rows))), order_id=f"OBAD{k:04d}A", member_id=f"MNOSUCH{k}")
        new_orders.append(orphan)
        manifest.append({"table": "raw_orders", "key": orphan["order_id"], "bad_class": "orphan_member_id"})

        neg = dict(take_row(orders, int(rng.integers(0, orders.num_rows))), order_id=f"OBAD{k:04d}B", paid_amount=-50.0 - k)
        new_orders.append(neg)
        manifest.append({"table": "raw_orders", "key": neg["order_id"], "bad_class": "negative_amount"})

        base = take_row(orders, int(rng.integers(0, orders.num_rows)))
        over = dict(base, order_id=f"OBAD{k:04d}C", status="partially_refunded",
                    paid_amount=100.0, refund_amount=150.0 + k)
        new_orders.append(over)
        manifest.append({"table": "raw_orders", "key": over["order_id"], "bad_class": "refund_exceeds_paid"})

        fut = dict(take_row(events, int(rng.integers(0, events.num_rows))), event_id=f"EBAD{k:04d}A",
                   occurred_at=dt.datetime(2099, 1, 1))
        new_events.append(fut)
        manifest.append({"table": "raw_interactions", "key": fut["event_id"], "bad_class": "future_timestamp"})

        unk = dict(take_row(events, int(rng.integers(0, events.num_rows))), event_id=f"EBAD{k:04d}B", event_type="teleport")
        new_events.append(unk)
        manifest.append({"table": "raw_interactions", "key": unk["event_id"], "bad_class": "unknown_enum"})

        empty = dict(take_row(events, int(rng.integers(0, events.num_rows))), event_id=f"EBAD{k:04d}C", member_id="  ")
        new_events.append(empty)
        manifest.append({"table": "raw_interactions", "key": empty["event_id"], "bad_class": "empty_string_id"})

        mem = take_row(members, int(rng.integers(0, members.num_rows)))
        selfref = dict(mem, member_id=f"MBAD{k:04d}", referrer_member_id=f"MBAD{k:04d}")
        new_members.append(selfref)
        manifest.append({"table": "raw_members", "key": selfref["member_id"], "bad_class": "self_referral"})

        replay = take_row(orders, int(rng.integers(0, orders.num_rows)))
        new_orders.append(dict(replay))
        manifest.append({"table": "raw_orders", "key": replay["order_id"], "bad_class": "exact_replay"})

        absurd = dict(take_row(orders, int(rng.integers(0, orders.num_rows))), order_id=f"OBAD{k:04d}E",
                      gross_amount=9.9e9, paid_amount=9.9e9)
        new_orders.append(absurd)
        manifest.append({"table": "raw_orders", "key": absurd["order_id"], "bad_class": "absurd_amount"})

        ancient = dict(take_row(orders, int(rng.integers(0, orders.num_rows))), order_id=f"OBAD{k:04d}F",
                       ordered_at=dt.datetime(1970, 1, 1))
        new_orders.append(ancient)
        manifest.append({"table": "raw_orders", "key": ancient["order_id"], "bad_class": "before_brand_start"})

        # two new members who name each other as referrer
        first, second = f"MBAD{k:04d}L", f"MBAD{k:04d}M"
        for member_id, referrer in ((first, second), (second, first)):
            looped = dict(take_row(members, int(rng.integers(0, members.num_rows))), member_id=member_id,
                          referrer_member_id=referrer)
            new_members.append(looped)
            manifest.append({"table": "raw_members", "key": member_id, "bad_class": "referral_loop"})

        # ideographic (full-width) spaces around a Chinese city name: kept, cleaned in staging
        wide = take_row(members, int(rng.integers(0, members.num_rows)))
        wide = dict(wide, member_id=f"MBAD{k:04d}W", referrer_member_id=None, city="\u3000上海\u3000")
        new_members.append(wide)
        manifest.append({"table": "raw_members", "key": wide["member_id"], "bad_class": "mixed_width_text"})

        # an old event delivered after the rest of the file: kept (see the decision log)
        late = dict(take_row(events, int(rng.integers(0, events.num_rows))), event_id=f"EBAD{k:04d}L")
        new_events.append(late)
        manifest.append({"table": "raw_interactions", "key": late["event_id"], "bad_class": "late_arriving_event"})

    def append(table: pa.Table, rows: list[dict]) -> pa.Table:
        extra = pa.Table.from_pylist(rows, schema=table.schema)
        return pa.concat_tables([table, extra]).combine_chunks()

    tables["raw_orders"] = append(orders, new_orders)
    tables["raw_interactions"] = append(events, new_events)
    tables["raw_members"] = append(members, new_members)
    return manifest


def generate(cfg: GeneratorConfig, out_dir: Path, progress: Progress | None = None) -> dict:
    """Generate every raw table into ``out_dir`` and return a summary with row counts and timings."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    rs = _Streams(cfg.seed)
    tl = _Timeline(cfg)

    say(f"members: planting {cfg.members:,} members ({cfg.start_date} .. {cfg.end_date}, seed {cfg.seed})")
    m = _members(cfg, rs, tl)
    camp = _campaigns(cfg, rs, tl)
    say("orders: generating purchase histories")
    orders = _orders(cfg, rs, tl, m, camp)
    say(f"orders: {orders.num_rows:,} rows")
    say("interactions: generating engagement, onboarding, referrals, messages, KOC programme")
    buf, _ = _interactions(cfg, rs, tl, m, camp, orders)
    part = _koc_programme(cfg, rs, tl, m, camp, buf)
    interactions, metrics, participations = _finish_events(cfg, rs, tl, m, camp, buf, part)
    say(f"interactions: {interactions.num_rows:,} rows; posts with metrics: {metrics.num_rows:,} snapshots")

    replay_rng = rs("replays")
    orders, order_replays = _with_replays(orders, cfg.replay_share, replay_rng)
    interactions, event_replays = _with_replays(interactions, cfg.replay_share, replay_rng)
    tables = {
        "raw_members": _members_table(m),
        "raw_orders": orders,
        "raw_interactions": interactions,
        "raw_ugc_post_metrics": metrics,
        "raw_campaigns": _campaigns_table(camp),
        "raw_koc_participations": participations,
    }
    manifest: list[dict] = []
    if cfg.bad_rows:
        manifest = _inject_bad_rows(tables, rs("bad_rows"), tl)
        say(f"bad rows: planted {len(manifest)} rows in {len(BAD_ROW_CLASSES)} classes")

    say(f"writing parquet files to {out_dir}")
    for name, table in tables.items():
        pq.write_table(table, out_dir / f"{name}.parquet", compression="zstd", row_group_size=1_000_000)
    pq.write_table(_ground_truth(m, tl), out_dir / "ground_truth.parquet", compression="zstd")
    if manifest:
        pq.write_table(pa.Table.from_pylist(manifest), out_dir / "bad_rows_manifest.parquet")
    elapsed = time.perf_counter() - started
    rows = {name: t.num_rows for name, t in tables.items()}
    summary = {
        "config": {**{k: str(v) for k, v in asdict(cfg).items()}, "generator_version": str(GENERATOR_VERSION)},
        "rows": rows,
        "exact_replays": {"raw_orders": order_replays, "raw_interactions": event_replays},
        "bad_rows": len(manifest),
        "seconds": round(elapsed, 2),
        "rows_per_second": int(sum(rows.values()) / elapsed) if elapsed else None,
    }
    # Timings vary between runs, so they stay out of the data folder (files stay byte-identical).
    (out_dir / "generation.json").write_text(json.dumps({k: v for k, v in summary.items() if k not in ("seconds", "rows_per_second")}, indent=2))
    say(f"done in {elapsed:.1f}s ({summary['rows_per_second']:,} rows/s)")
    return summary
