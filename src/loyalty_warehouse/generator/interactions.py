"""The event families of one member block: engagement, onboarding, referrals, points, messages, graduation."""

from __future__ import annotations

import numpy as np

from .. import contract
from .campaigns import Campaigns
from .columns import code, codes
from .config import ARCHETYPES, DAY, KOC_BEHAVIOURS, NONE
from .events import INTERESTS, SKIN_TYPES, TAG_KEYS, EventBuffer, tag_values
from .members import MemberBlock
from .orders import OrderBlock
from .registration import Registrations

# Generic engagement: expected events per day for each event type and archetype (before ENGAGEMENT_SCALE).
ENGAGEMENT_TYPES = (
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
ENGAGEMENT_RATES = {
    "prospect": np.array([0.02, 0.01, 0.03, 0.01, 0.002, 0.002, 0.001, 0.005, 0.002, 0.0, 0.0, 0.0, 0.0, 0.001]),
    "regular": np.array(
        [0.06, 0.03, 0.08, 0.03, 0.008, 0.006, 0.004, 0.02, 0.006, 0.001, 0.0005, 0.0008, 0.002, 0.003]
    ),
    "churner": np.array(
        [0.05, 0.02, 0.06, 0.02, 0.005, 0.004, 0.002, 0.01, 0.004, 0.0005, 0.0003, 0.002, 0.002, 0.003]
    ),
    "super_user": np.array([0.2, 0.1, 0.25, 0.12, 0.05, 0.03, 0.04, 0.15, 0.03, 0.01, 0.006, 0.0005, 0.004, 0.004]),
    "koc": np.array([0.35, 0.2, 0.45, 0.25, 0.12, 0.06, 0.05, 0.15, 0.06, 0.03, 0.09, 0.0005, 0.003, 0.004]),
}
ENGAGEMENT_SCALE = 0.22
# Multipliers on those rates after the behaviour change of a KOC sub-behaviour (steady KOCs never change).
AFTER_CHANGE = {
    "dormant": np.array([0.15, 0.1, 0.3, 0.12, 0.1, 0.2, 0.1, 0.1, 0.05, 0.05, 0.05, 1.0, 1.0, 1.0]),
    "posting_only_decline": np.array([1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.05, 1.0, 1.0, 1.0]),
    "graduate": np.zeros(len(ENGAGEMENT_TYPES)),
}
CHURNED_FADE_DAYS = 20  # a churner's engagement stops this long after the churn
ENGAGEMENT_PLATFORM_SHARES = {
    "wecom": 0.3,
    "wechat_group": 0.3,
    "mini_program": 0.2,
    "official_account": 0.1,
    "app": 0.05,
    "store": 0.05,
}
PUBLIC_POST_SHARE = 0.7
PUBLIC_POST_PLATFORM_SHARES = {"xiaohongshu": 0.6, "douyin": 0.3, "weibo": 0.1}
PRIVATE_POST_PLATFORM = "video_account"
ACTIVITY_CAMPAIGN_TYPES = ("online_activity", "challenge")
NPS_MEAN = {"prospect": 6.0, "regular": 7.5, "churner": 5.0, "super_user": 9.2, "koc": 9.0}
SERVICE_RATINGS, SERVICE_RATING_SHARES = (1, 2, 3, 4, 5), (0.04, 0.06, 0.15, 0.35, 0.4)
MESSAGE_EVERY_DAYS = 45  # generic notifications, on average, to WeCom followers
WAKE_UP_AFTER_DAYS = (100, 140)  # a dormant KOC's wake-up message, after the behaviour change


def add_member_events(
    members: MemberBlock,
    orders: OrderBlock,
    campaigns: Campaigns,
    registrations: Registrations,
    end: int,
    rng: np.random.Generator,
    buffer: EventBuffer,
) -> None:
    """Every event family except the KOC programme's feedback posts (koc.py)."""
    add_engagement(members, campaigns, end, rng, buffer)
    add_onboarding(members, rng, buffer)
    add_post_order_surveys(members, orders, rng, buffer)
    add_referrals(members, registrations, rng, buffer)
    add_redemptions(orders, rng, buffer)
    add_messages(members, end, rng, buffer)
    add_graduations(members, end, rng, buffer)


def _engagement_segments(members: MemberBlock, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Each member's active span split at the KOC behaviour change: (2, members) starts and ends."""
    start = members.registered
    stop = np.where(members.ended_at != NONE, np.minimum(end, members.ended_at), end)
    stop = np.where(members.churn_at != NONE, np.minimum(stop, members.churn_at + CHURNED_FADE_DAYS * DAY), stop)
    change = np.where(members.behaviour_change_at != NONE, members.behaviour_change_at, stop)
    change = np.clip(change, start, stop)
    return np.stack([start, change]), np.stack([change, stop])


def _engagement_rates(members: MemberBlock, rng: np.random.Generator) -> np.ndarray:
    """Expected events per day: (2 segments, members, ENGAGEMENT_TYPES)."""
    by_archetype = ENGAGEMENT_SCALE * np.stack([ENGAGEMENT_RATES[name] for name in ARCHETYPES])
    before = by_archetype[members.archetype] * np.exp(rng.normal(0, 0.4, size=members.size))[:, None]
    after_change = np.ones_like(before)
    for behaviour, multiplier in AFTER_CHANGE.items():
        after_change[members.is_koc_behaviour(behaviour)] = multiplier
    return np.stack([before, before * after_change])


def add_engagement(
    members: MemberBlock, campaigns: Campaigns, end: int, rng: np.random.Generator, buffer: EventBuffer
) -> None:
    """Generic engagement, as piecewise-constant Poisson processes per member and event type."""
    segment_start, segment_stop = _engagement_segments(members, end)
    days = ((segment_stop - segment_start) / DAY)[:, :, None]
    counts = rng.poisson(_engagement_rates(members, rng) * days)
    segment, local, type_position = np.nonzero(counts)
    repeats = counts[segment, local, type_position]
    segment, local = np.repeat(segment, repeats), np.repeat(local, repeats)
    event_type = codes(contract.EVENT_TYPES, *ENGAGEMENT_TYPES)[np.repeat(type_position, repeats)]
    earliest, latest = segment_start[segment, local], segment_stop[segment, local]
    occurred_at = earliest + (rng.random(len(local)) * (latest - earliest)).astype(np.int64)
    platform = _engagement_platforms(event_type, rng)
    campaign = _engagement_campaigns(event_type, occurred_at, campaigns, rng)
    score = _engagement_scores(event_type, members.archetype[local], rng)
    buffer.add(members.number[local], occurred_at, event_type, platform=platform, campaign=campaign, score=score)


def _engagement_platforms(event_type: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Private-domain platforms; 70 % of posts public (xiaohongshu, douyin, weibo), the rest on video account."""
    names = tuple(ENGAGEMENT_PLATFORM_SHARES)
    platform = codes(contract.PLATFORMS, *names)[
        rng.choice(len(names), size=len(event_type), p=list(ENGAGEMENT_PLATFORM_SHARES.values()))
    ]
    is_post = event_type == code(contract.EVENT_TYPES, "ugc_post")
    public_post = is_post & (rng.random(len(event_type)) < PUBLIC_POST_SHARE)
    public_names = tuple(PUBLIC_POST_PLATFORM_SHARES)
    chosen = rng.choice(len(public_names), size=int(public_post.sum()), p=list(PUBLIC_POST_PLATFORM_SHARES.values()))
    platform[public_post] = codes(contract.PLATFORMS, *public_names)[chosen]
    platform[is_post & ~public_post] = code(contract.PLATFORMS, PRIVATE_POST_PLATFORM)
    platform[event_type == code(contract.EVENT_TYPES, "check_in")] = code(contract.PLATFORMS, "mini_program")
    return platform


def _engagement_campaigns(
    event_type: np.ndarray, occurred_at: np.ndarray, campaigns: Campaigns, rng: np.random.Generator
) -> np.ndarray:
    """Activity joins go to the month's online activity or challenge, seeding joins to its seeding campaign."""
    campaign = np.full(len(event_type), NONE, dtype=np.int64)
    activity = event_type == code(contract.EVENT_TYPES, "activity_join")
    activity_type = codes(contract.CAMPAIGN_TYPES, *ACTIVITY_CAMPAIGN_TYPES)[
        rng.integers(0, 2, size=int(activity.sum()))
    ]
    campaign[activity] = campaigns.at(occurred_at[activity], activity_type)
    seeding = event_type == code(contract.EVENT_TYPES, "seeding_activity_join")
    campaign[seeding] = campaigns.at(occurred_at[seeding], code(contract.CAMPAIGN_TYPES, "seeding"))
    return campaign


def _engagement_scores(event_type: np.ndarray, archetype: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """NPS 0-10 around the archetype's mean, and service ratings 1-5."""
    score = np.full(len(event_type), NONE, dtype=np.int64)
    nps = event_type == code(contract.EVENT_TYPES, "nps_response")
    mean = np.array([NPS_MEAN[name] for name in ARCHETYPES])[archetype[nps]]
    score[nps] = np.clip(np.round(rng.normal(mean, 1.6)), 0, 10).astype(np.int64)
    rating = event_type == code(contract.EVENT_TYPES, "service_rating")
    score[rating] = rng.choice(SERVICE_RATINGS, size=int(rating.sum()), p=SERVICE_RATING_SHARES)
    return score


def add_onboarding(members: MemberBlock, rng: np.random.Generator, buffer: EventBuffer) -> None:
    """Onboarding steps consistent with the member table: follow, group join, questionnaire, blind box, 1:1."""
    wecom, group, mini_program = (code(contract.PLATFORMS, name) for name in ("wecom", "wechat_group", "mini_program"))
    followed = members.wecom_followed != NONE
    who = np.flatnonzero(followed)
    buffer.add(members.number[who], members.wecom_followed[who], "wecom_follow", platform=wecom)
    who = np.flatnonzero(members.group_joined != NONE)
    buffer.add(members.number[who], members.group_joined[who], "group_join", platform=group)
    who = np.flatnonzero(followed & (rng.random(members.size) < 0.45))
    skin_type = tag_values(SKIN_TYPES, rng.integers(0, len(SKIN_TYPES), size=len(who)))
    buffer.add(
        members.number[who],
        members.wecom_followed[who] + rng.integers(600, 3 * DAY, size=len(who)),
        "survey_completed",
        platform=mini_program,
        survey=contract.SURVEY_IDS.index("onboarding_questionnaire"),
        tag_key=TAG_KEYS.index("skin_type"),
        tag_value=skin_type,
    )
    who = np.flatnonzero(followed & (rng.random(members.size) < 0.3))
    buffer.add(
        members.number[who],
        members.wecom_followed[who] + rng.integers(300, DAY, size=len(who)),
        "blind_box_draw",
        platform=mini_program,
    )
    who = np.flatnonzero(followed & (rng.random(members.size) < 0.4))
    buffer.add(
        members.number[who],
        members.wecom_followed[who] + rng.integers(DAY, 5 * DAY, size=len(who)),
        "one_to_one_contact",
        platform=wecom,
    )


def add_post_order_surveys(
    members: MemberBlock, orders: OrderBlock, rng: np.random.Generator, buffer: EventBuffer
) -> None:
    """35 % of buyers answer the post-order survey a few days after their first order."""
    first_order = np.full(members.size, np.iinfo(np.int64).max)
    np.minimum.at(first_order, members.local(orders.member), orders.ordered_at)
    who = np.flatnonzero((first_order != np.iinfo(np.int64).max) & (rng.random(members.size) < 0.35))
    interest = tag_values(INTERESTS, rng.integers(0, len(INTERESTS), size=len(who)))
    buffer.add(
        members.number[who],
        first_order[who] + rng.integers(DAY, 6 * DAY, size=len(who)),
        "survey_completed",
        platform=code(contract.PLATFORMS, "mini_program"),
        survey=contract.SURVEY_IDS.index("post_order_survey"),
        tag_key=TAG_KEYS.index("interest"),
        tag_value=interest,
    )


def add_referrals(
    members: MemberBlock, registrations: Registrations, rng: np.random.Generator, buffer: EventBuffer
) -> None:
    """The referrer's invite shortly before the referred member registers, and its referral_registered event.
    The referrer may belong to an earlier block: its registration is recomputed from its member number."""
    who = np.flatnonzero(members.referrer != NONE)
    referrer = members.referrer[who]
    registered = members.registered[who]
    invited_at = np.maximum(
        registered - rng.integers(3600, 7 * DAY, size=len(who)), registrations.registered_at(referrer)
    )
    wecom = code(contract.PLATFORMS, "wecom")
    buffer.add(referrer, invited_at, "referral_invite", platform=wecom, related=members.number[who])
    buffer.add(referrer, registered, "referral_registered", platform=wecom, related=members.number[who])


def add_redemptions(orders: OrderBlock, rng: np.random.Generator, buffer: EventBuffer) -> None:
    """35 % of members with two or more purchases redeem 10-50 % of what those two earned (1 point per CNY)."""
    purchase = orders.is_purchase()
    member, ordered_at = orders.member[purchase], orders.ordered_at[purchase]
    net = (orders.paid - orders.refund)[purchase]
    order = np.lexsort((ordered_at, member))
    member, ordered_at, net = member[order], ordered_at[order], net[order]
    first_of_member = np.flatnonzero(np.r_[True, member[1:] != member[:-1]])
    has_second = np.r_[first_of_member[1:], len(member)] - first_of_member >= 2
    first = first_of_member[has_second]
    first = first[rng.random(len(first)) < 0.35]
    earned = np.floor(net[first]) + np.floor(net[first + 1])
    points = np.floor(earned * rng.uniform(0.1, 0.5, size=len(first))).astype(np.int64)
    redeemed_at = ordered_at[first + 1] + rng.integers(3600, 20 * DAY, size=len(first))
    keep = points > 0
    buffer.add(
        member[first][keep],
        redeemed_at[keep],
        "points_redeem",
        platform=code(contract.PLATFORMS, "mini_program"),
        points=points[keep],
    )


def add_messages(members: MemberBlock, end: int, rng: np.random.Generator, buffer: EventBuffer) -> None:
    """Generic notifications to WeCom followers, and one wake-up message to each dormant KOC."""
    wecom = code(contract.PLATFORMS, "wecom")
    followers = np.flatnonzero(members.wecom_followed != NONE)
    followed_days = np.maximum((end - members.wecom_followed[followers]) / DAY, 0)
    recipient = np.repeat(followers, rng.poisson(followed_days / MESSAGE_EVERY_DAYS))
    since = members.wecom_followed[recipient]
    sent_at = since + (rng.random(len(recipient)) * (end - since)).astype(np.int64)
    buffer.add(
        members.number[recipient],
        sent_at,
        "message_received",
        platform=wecom,
        message_type=contract.MESSAGE_TYPES.index("generic_notification"),
    )
    dormant = np.flatnonzero(members.is_koc_behaviour("dormant"))
    wake_up_at = members.behaviour_change_at[dormant] + rng.integers(*WAKE_UP_AFTER_DAYS, size=len(dormant)) * DAY
    interest = tag_values(INTERESTS, rng.integers(0, len(INTERESTS), size=len(dormant)))
    sent = wake_up_at < end
    buffer.add(
        members.number[dormant[sent]],
        wake_up_at[sent],
        "message_received",
        platform=wecom,
        message_type=contract.MESSAGE_TYPES.index("wake_up"),
        tag_key=TAG_KEYS.index("interest"),
        tag_value=interest[sent],
    )


def add_graduations(members: MemberBlock, end: int, rng: np.random.Generator, buffer: EventBuffer) -> None:
    """KOCs who sold or traded in: farewell post, graduation, badge, and alumni advisory / mentor sessions."""
    wecom, group = code(contract.PLATFORMS, "wecom"), code(contract.PLATFORMS, "wechat_group")
    graduate = np.flatnonzero(members.koc_behaviour == code(KOC_BEHAVIOURS, "graduate"))
    who, ended_at = members.number[graduate], members.ended_at[graduate]
    buffer.add(who, ended_at - DAY, "farewell_post", platform=group)
    buffer.add(who, ended_at + DAY, "graduation", platform=wecom)
    badge = tag_values(contract.BADGES, rng.integers(0, len(contract.BADGES), size=len(who)))
    buffer.add(
        who, ended_at + 2 * DAY, "badge_granted", platform=wecom, tag_key=TAG_KEYS.index("badge"), tag_value=badge
    )
    advisor = rng.random(len(who)) < 0.5
    buffer.add(who[advisor], np.minimum(ended_at[advisor] + 30 * DAY, end), "advisory_session", platform=wecom)
    mentor = rng.random(len(who)) < 0.4
    buffer.add(who[mentor], np.minimum(ended_at[mentor] + 45 * DAY, end), "mentor_session", platform=group)
