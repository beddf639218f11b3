"""The KOC programme of one member block: campaign participations, whose feedback posts are ugc_post events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .. import contract
from .campaigns import KOC_FEEDBACK_DUE_DAYS, Campaigns
from .columns import code, codes, ids, optional_ids, timestamps, values_or_null
from .config import DAY, NONE
from .events import EventBuffer
from .members import MemberBlock, member_ids

PARTICIPATION_ID_DIGITS = 7
POST_ID_DIGITS = 8
JOIN_SHARE_PER_MONTH = 0.5  # all-category share campaigns; the first one is the entry ticket
JOIN_REVIEW_PER_MONTH = 0.3  # review campaigns, from the fourth month in the programme
REVIEW_CAMPAIGN_TYPES = ("new_product_review", "evergreen_experience")
FEEDBACK_OUTCOMES = ("on_time", "late", "missing", "non_compliant")
# A lapse on a review campaign blacklists a KOC for good, so lapses are rare (decision D56).
FEEDBACK_OUTCOME_SHARES = (0.95, 0.02, 0.02, 0.01)
FEEDBACK_POST_PLATFORM = "xiaohongshu"


@dataclass
class Participations:
    """One entry per participation, in join order (ties by member)."""

    member: np.ndarray
    campaign: np.ndarray
    joined: np.ndarray
    shipped: np.ndarray
    due: np.ndarray
    submitted: np.ndarray
    missing: np.ndarray  # no feedback (yet) by the end of the data
    compliant: np.ndarray

    @property
    def size(self) -> int:
        return len(self.member)


def plant_participations(
    members: MemberBlock, campaigns: Campaigns, end: int, rng: np.random.Generator, buffer: EventBuffer
) -> Participations:
    """KOC campaign participations; each submitted feedback is also a public ugc_post event."""
    kocs = np.flatnonzero(members.koc_behaviour != NONE)
    koc_since, stop = _programme_span(members, kocs, end, rng)
    who, is_review = _joins(koc_since, stop, rng)
    joined = _join_times(who, is_review, koc_since, stop, end, rng)
    review_type = codes(contract.CAMPAIGN_TYPES, *REVIEW_CAMPAIGN_TYPES)[rng.integers(0, 2, size=len(who))]
    campaign_type = np.where(is_review, review_type, code(contract.CAMPAIGN_TYPES, "all_category_share"))
    campaign = campaigns.at(joined, campaign_type)
    shipped = joined + rng.integers(1, 5, size=len(who)) * DAY
    due = shipped + KOC_FEEDBACK_DUE_DAYS * DAY
    is_dormant = members.is_koc_behaviour("dormant")[kocs[who]]
    submitted, missing, compliant = _feedback(rng, shipped, due, is_dormant, end)
    member = members.number[kocs[who]]
    order = np.lexsort((member, joined))
    participations = Participations(
        member=member[order],
        campaign=campaign[order],
        joined=joined[order],
        shipped=shipped[order],
        due=due[order],
        submitted=submitted[order],
        missing=missing[order],
        compliant=compliant[order],
    )
    posted = np.flatnonzero(~participations.missing)
    buffer.add(
        participations.member[posted],
        participations.submitted[posted],
        "ugc_post",
        platform=code(contract.PLATFORMS, FEEDBACK_POST_PLATFORM),
        campaign=participations.campaign[posted],
        participation=posted,
    )
    return participations


def _programme_span(
    members: MemberBlock, kocs: np.ndarray, end: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """KOCs enter 10-60 days after registering and join campaigns until their behaviour change;
    posting-only decliners keep joining (they just stop delivering posts)."""
    koc_since = members.registered[kocs] + rng.integers(10, 60, size=len(kocs)) * DAY
    change = members.behaviour_change_at[kocs]
    stop = np.where(change != NONE, change, end)
    stop = np.where(members.is_koc_behaviour("posting_only_decline")[kocs], end, stop)
    return koc_since, stop


def _joins(koc_since: np.ndarray, stop: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Which KOC (position among the block's KOCs) each participation is of: share joins first, then reviews."""
    months = np.maximum((stop - koc_since) // (30 * DAY), 0)
    share_joins = rng.binomial(months, JOIN_SHARE_PER_MONTH) + 1
    review_joins = rng.binomial(np.maximum(months - 3, 0), JOIN_REVIEW_PER_MONTH)
    positions = np.arange(len(koc_since))
    who = np.concatenate([np.repeat(positions, share_joins), np.repeat(positions, review_joins)])
    is_review = np.concatenate([np.zeros(share_joins.sum(), bool), np.ones(review_joins.sum(), bool)])
    return who, is_review


def _join_times(
    who: np.ndarray, is_review: np.ndarray, koc_since: np.ndarray, stop: np.ndarray, end: int, rng: np.random.Generator
) -> np.ndarray:
    """Uniform in the programme span (reviews from 90 days in); the first share join is the entry itself."""
    earliest = np.where(is_review, koc_since[who] + 90 * DAY, koc_since[who])
    latest = np.maximum(stop[who] - 20 * DAY, earliest + DAY)
    joined = earliest + (rng.random(len(who)) * (latest - earliest)).astype(np.int64)
    first_share = ~is_review & np.r_[True, who[1:] != who[:-1]]
    joined[first_share] = koc_since[who[first_share]]
    return np.minimum(joined, end - 2 * DAY)


def _feedback(
    rng: np.random.Generator, shipped: np.ndarray, due: np.ndarray, is_dormant: np.ndarray, end: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feedback instant, whether it is missing and whether it complies with the brief."""
    outcome = rng.choice(len(FEEDBACK_OUTCOMES), size=len(shipped), p=FEEDBACK_OUTCOME_SHARES)
    # Planted dormant KOCs fade in good standing: they kept every feedback rule, so the ground truth
    # never marks as dormant a KOC whom the programme had already blacklisted.
    outcome[is_dormant] = FEEDBACK_OUTCOMES.index("on_time")
    late = outcome == FEEDBACK_OUTCOMES.index("late")
    submitted = np.where(
        late, due + rng.integers(1, 10, size=len(shipped)) * DAY, shipped + rng.integers(2, 13, size=len(shipped)) * DAY
    )
    missing = (outcome == FEEDBACK_OUTCOMES.index("missing")) | (submitted > end)
    compliant = outcome != FEEDBACK_OUTCOMES.index("non_compliant")
    return submitted, missing, compliant


def participations_table(
    participations: Participations,
    first_participation_number: int,
    post_number: np.ndarray,
    end: int,
    campaigns: Campaigns,
) -> pa.Table:
    """The block's raw_koc_participations rows; ``post_number`` is each feedback post's number (or NONE)."""
    numbers = np.arange(first_participation_number, first_participation_number + participations.size) + 1
    shipped_unknown = participations.shipped > end
    return pa.table(
        {
            "participation_id": ids("K", numbers, PARTICIPATION_ID_DIGITS),
            "campaign_id": campaigns.id_column(participations.campaign),
            "member_id": member_ids(participations.member),
            "joined_at": timestamps(participations.joined),
            "product_shipped_at": timestamps(participations.shipped, missing=shipped_unknown),
            "feedback_due_at": timestamps(participations.due, missing=shipped_unknown),
            "feedback_submitted_at": timestamps(participations.submitted, missing=participations.missing),
            "feedback_compliant": values_or_null(participations.compliant, participations.missing),
            "post_id": optional_ids("P", np.where(post_number == NONE, NONE, post_number + 1), POST_ID_DIGITS),
        },
        schema=contract.TABLES_BY_NAME["raw_koc_participations"].schema,
    )
