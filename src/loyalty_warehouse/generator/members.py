"""One block of members: profile, onboarding, churn and KOC behaviour, and the raw_members table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .. import contract
from .columns import (
    code,
    codes,
    ids,
    names_of,
    optional_ids,
    optional_timestamps,
    timestamps,
    values_or_null,
)
from .config import (
    ADVOCATES,
    ARCHETYPES,
    DAY,
    KOC_BEHAVIOUR_SHARES,
    KOC_BEHAVIOURS,
    NONE,
)
from .registration import Registrations, is_archetype
from .timeline import Timeline

MEMBER_ID_DIGITS = 8
CITIES = ("上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "长沙", "苏州", "厦门")
CHANNEL_SHARES = {  # acquisition channel of members nobody referred
    "official_account_post": 0.16,
    "wechat_ad": 0.12,
    "offline_sample": 0.08,
    "pop_up": 0.05,
    "official_mall": 0.2,
    "wechat_search": 0.1,
    "store": 0.12,
    "public_domain_other": 0.1,
    "other": 0.07,
}
GENDER_SHARES = {"female": 0.68, "male": 0.27, "unknown": 0.05}
CITY_TIER_SHARES = {"tier_1": 0.3, "tier_2": 0.35, "tier_3": 0.2, "tier_4_plus": 0.15}
# Chance of a presence on each social platform (KOCs are always on xiaohongshu).
SOCIAL_PLATFORM_SHARES = {"xiaohongshu": 0.35, "douyin": 0.4, "weibo": 0.2}
# The social_platforms text for each combination of the three presence bits (bit i = SOCIAL_PLATFORMS[i]).
SOCIAL_PLATFORM_LISTS = tuple(
    ",".join(name for bit, name in enumerate(contract.SOCIAL_PLATFORMS) if combination >> bit & 1)
    for combination in range(1 << len(contract.SOCIAL_PLATFORMS))
)
# Each graduate ends the relationship one of these ways.
GRADUATION_REASONS = ("asset_sold", "asset_traded_in")


def member_ids(members: np.ndarray) -> pa.Array:
    """Member ids ("M00000001", ...) of member numbers (0-based)."""
    return ids("M", np.asarray(members) + 1, MEMBER_ID_DIGITS)


def optional_member_ids(members: np.ndarray) -> pa.Array:
    return optional_ids("M", np.where(members == NONE, NONE, members + 1), MEMBER_ID_DIGITS)


def draw(rng: np.random.Generator, names: tuple[str, ...], shares: dict[str, float], size: int) -> np.ndarray:
    """Enum indexes (into ``names``) drawn with the given shares per name."""
    weights = np.array([shares.get(name, 0.0) for name in names])
    return rng.choice(len(names), size=size, p=weights / weights.sum())


@dataclass
class MemberBlock:
    """Member-level facts of one block, one array entry per member (instants in epoch seconds, NONE if none)."""

    number: np.ndarray  # 0-based member numbers, consecutive
    archetype: np.ndarray
    koc_behaviour: np.ndarray
    registered: np.ndarray
    referrer: np.ndarray  # member number or NONE
    channel: np.ndarray
    birth_year: np.ndarray
    birth_known: np.ndarray
    gender: np.ndarray
    city: np.ndarray
    city_tier: np.ndarray
    is_store: np.ndarray
    social_bits: np.ndarray  # bit i: present on SOCIAL_PLATFORMS[i]
    follower: np.ndarray
    wecom_followed: np.ndarray
    group_joined: np.ndarray
    is_community: np.ndarray
    churn_at: np.ndarray
    return_at: np.ndarray
    behaviour_change_at: np.ndarray
    ended_at: np.ndarray
    end_reason: np.ndarray
    spend_multiplier: np.ndarray

    @property
    def first(self) -> int:
        return int(self.number[0])

    @property
    def size(self) -> int:
        return len(self.number)

    def local(self, members: np.ndarray) -> np.ndarray:
        """Positions in this block of member numbers that belong to it."""
        return members - self.first

    def is_koc_behaviour(self, name: str) -> np.ndarray:
        return self.koc_behaviour == code(KOC_BEHAVIOURS, name)


def plant_members(
    first: int, stop: int, registrations: Registrations, timeline: Timeline, rng: np.random.Generator
) -> MemberBlock:
    number = np.arange(first, stop, dtype=np.int64)
    size = len(number)
    archetype = registrations.archetypes(number)
    registered = registrations.registered_at(number)
    referrer = registrations.referrers(number, rng)
    is_koc = is_archetype(archetype, "koc")
    koc_behaviour = np.where(is_koc, rng.choice(len(KOC_BEHAVIOURS), size=size, p=KOC_BEHAVIOUR_SHARES), NONE)
    channel = draw(rng, contract.ACQUISITION_CHANNELS, CHANNEL_SHARES, size)
    channel[referrer != NONE] = code(contract.ACQUISITION_CHANNELS, "referral")
    profile = _profile(rng, is_koc)
    wecom_followed, group_joined, is_community = _community_joins(rng, archetype, registered)
    churn_at, return_at = _churn_and_return(rng, archetype, registered, timeline)
    behaviour_change_at = _koc_behaviour_changes(rng, koc_behaviour, timeline)
    ended_at, end_reason = _relationship_ends(rng, archetype, koc_behaviour, registered, behaviour_change_at, timeline)
    return MemberBlock(
        number=number,
        archetype=archetype,
        koc_behaviour=koc_behaviour,
        registered=registered,
        referrer=referrer,
        channel=channel,
        **profile,
        wecom_followed=wecom_followed,
        group_joined=group_joined,
        is_community=is_community,
        churn_at=churn_at,
        return_at=return_at,
        behaviour_change_at=behaviour_change_at,
        ended_at=ended_at,
        end_reason=end_reason,
        spend_multiplier=np.exp(rng.normal(0, 0.55, size=size)),
    )


def _profile(rng: np.random.Generator, is_koc: np.ndarray) -> dict[str, np.ndarray]:
    """Demographics and social presence. KOCs fit the KOC portrait: 16-30, on xiaohongshu, more followers."""
    size = len(is_koc)
    birth_year = rng.integers(1965, 2008, size=size)
    birth_year[is_koc] = rng.integers(1994, 2008, size=int(is_koc.sum()))
    presence = rng.random((size, len(contract.SOCIAL_PLATFORMS))) < np.array(
        [SOCIAL_PLATFORM_SHARES[name] for name in contract.SOCIAL_PLATFORMS]
    )
    presence[is_koc, code(contract.SOCIAL_PLATFORMS, "xiaohongshu")] = True
    social_bits = (presence * (1 << np.arange(len(contract.SOCIAL_PLATFORMS)))).sum(axis=1)
    follower = np.where(
        is_koc,
        np.exp(rng.normal(np.log(2500), 0.9, size=size)),
        np.exp(rng.normal(np.log(80), 1.3, size=size)),
    ).astype(np.int64)
    return dict(
        birth_year=birth_year,
        birth_known=rng.random(size) < 0.8,
        gender=draw(rng, contract.GENDERS, GENDER_SHARES, size),
        city=rng.integers(0, len(CITIES), size=size),
        city_tier=draw(rng, contract.CITY_TIERS, CITY_TIER_SHARES, size),
        is_store=rng.random(size) < 0.25,
        social_bits=social_bits,
        follower=follower,
    )


def _community_joins(
    rng: np.random.Generator, archetype: np.ndarray, registered: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WeCom follow (72 %) and group join (60 % of followers); advocates are always in the community."""
    size = len(archetype)
    follow_lag = rng.exponential(2 * DAY, size=size).astype(np.int64)
    wecom_followed = np.where(rng.random(size) < 0.72, registered + follow_lag, NONE)
    group_lag = rng.exponential(4 * DAY, size=size).astype(np.int64)
    joins_group = (wecom_followed != NONE) & (rng.random(size) < 0.6)
    group_joined = np.where(joins_group, wecom_followed + group_lag, NONE)
    is_community = (group_joined != NONE) | np.isin(archetype, codes(ARCHETYPES, *ADVOCATES))
    group_joined = np.where(is_community & (group_joined == NONE), registered + group_lag, group_joined)
    return wecom_followed, group_joined, is_community


def _churn_and_return(
    rng: np.random.Generator, archetype: np.ndarray, registered: np.ndarray, timeline: Timeline
) -> tuple[np.ndarray, np.ndarray]:
    """Churners stop at least 60 days after registering; 20 % of the early ones come back 5-8 months later."""
    size = len(archetype)
    churner = is_archetype(archetype, "churner")
    earliest = registered + 60 * DAY
    window = np.maximum(timeline.end - 120 * DAY - earliest, DAY)
    churn_at = np.where(churner, (earliest + rng.random(size) * window).astype(np.int64), NONE)
    comes_back = churner & (rng.random(size) < 0.2) & (churn_at < timeline.end - 300 * DAY)
    return_at = np.where(comes_back, churn_at + rng.integers(150, 240, size=size) * DAY, NONE)
    return churn_at, return_at


def _koc_behaviour_changes(rng: np.random.Generator, koc_behaviour: np.ndarray, timeline: Timeline) -> np.ndarray:
    """Dormant, posting-only decliners and graduates change 5-8 months before the end; steady KOCs never do."""
    changes = koc_behaviour > code(KOC_BEHAVIOURS, "steady")
    months_before_end = rng.integers(150, 240, size=len(koc_behaviour)) * DAY
    return np.where(changes, timeline.end - months_before_end, NONE)


def _relationship_ends(
    rng: np.random.Generator,
    archetype: np.ndarray,
    koc_behaviour: np.ndarray,
    registered: np.ndarray,
    behaviour_change_at: np.ndarray,
    timeline: Timeline,
) -> tuple[np.ndarray, np.ndarray]:
    """Graduates end the relationship at their change (sold or traded in); 1 % of regulars close their account."""
    size = len(archetype)
    graduate = koc_behaviour == code(KOC_BEHAVIOURS, "graduate")
    graduation_reason = codes(contract.RELATIONSHIP_END_REASONS, *GRADUATION_REASONS)[rng.integers(0, 2, size=size)]
    closes = is_archetype(archetype, "regular") & (rng.random(size) < 0.01)
    closed_at = (registered + rng.random(size) * (timeline.end - registered)).astype(np.int64)
    ended_at = np.select([graduate, closes], [behaviour_change_at, closed_at], NONE)
    end_reason = np.select(
        [graduate, closes], [graduation_reason, code(contract.RELATIONSHIP_END_REASONS, "account_closed")], NONE
    )
    return ended_at, end_reason


def members_table(block: MemberBlock) -> pa.Table:
    has_platform = block.social_bits > 0
    columns = {
        "member_id": member_ids(block.number),
        "registered_at": timestamps(block.registered),
        "acquisition_channel": names_of(contract.ACQUISITION_CHANNELS, block.channel),
        "referrer_member_id": optional_member_ids(block.referrer),
        "birth_year": values_or_null(block.birth_year, ~block.birth_known),
        "gender": names_of(contract.GENDERS, block.gender),
        "city": names_of(CITIES, block.city),
        "city_tier": names_of(contract.CITY_TIERS, block.city_tier),
        "is_store_user": pa.array(block.is_store),
        "is_community_user": pa.array(block.is_community),
        "social_platforms": names_of(SOCIAL_PLATFORM_LISTS, np.where(has_platform, block.social_bits, NONE)),
        "follower_count": values_or_null(block.follower, ~has_platform),
        "wecom_followed_at": optional_timestamps(block.wecom_followed),
        "group_joined_at": optional_timestamps(block.group_joined),
        "relationship_ended_at": optional_timestamps(block.ended_at),
        "relationship_end_reason": names_of(contract.RELATIONSHIP_END_REASONS, block.end_reason),
    }
    return pa.table(columns, schema=contract.TABLES_BY_NAME["raw_members"].schema)
