"""The block's events as the raw_interactions table, with post ids and the posts' metric snapshots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import contract
from .campaigns import Campaigns
from .columns import (
    code,
    codes,
    ids,
    names_of,
    optional_ids,
    timestamps,
    values_or_null,
)
from .config import DAY, NONE
from .events import TAG_KEYS, TAG_VALUES, Events
from .koc import POST_ID_DIGITS
from .members import MemberBlock, member_ids, optional_member_ids

EVENT_ID_DIGITS = 10
# Metric snapshots after publication: (days after, share of the final counts reached by then).
SNAPSHOTS = ((1, 0.45), (7, 0.85), (30, 1.0))
# Final engagement counts as shares of the post's engaged exposures.
ENGAGEMENT_SPLIT = {"likes": 0.6, "comments": 0.15, "favorites": 0.2, "shares": 0.05}


@dataclass
class EventBlock:
    events: Events
    post_number: np.ndarray  # per event in time order: the post's number (0-based, run-wide) or NONE

    def posts(self) -> np.ndarray:
        """Positions (in time order) of the block's posts."""
        return np.flatnonzero(self.post_number != NONE)


def number_posts(events: Events, first_post_number: int) -> EventBlock:
    """Posts get numbers in publication order, continuing from the blocks before."""
    is_post = events.column("event_type") == code(contract.EVENT_TYPES, "ugc_post")
    post_number = np.where(is_post, first_post_number + np.cumsum(is_post) - 1, NONE)
    return EventBlock(events, post_number)


def participation_posts(block: EventBlock, participation_count: int) -> np.ndarray:
    """The post number of each participation's feedback post (NONE where feedback is missing)."""
    post_number = np.full(participation_count, NONE, dtype=np.int64)
    posts = block.posts()
    participation = block.events.column("participation", posts)
    from_feedback = participation != NONE
    post_number[participation[from_feedback]] = block.post_number[posts][from_feedback]
    return post_number


def interactions_table(block: EventBlock, rows: np.ndarray, numbers: np.ndarray, campaigns: Campaigns) -> pa.Table:
    """raw_interactions rows at ``rows`` of the time order (replays repeat a position); ``numbers``
    are their run-wide numbers (1-based), which make the event ids."""

    def column(name: str) -> np.ndarray:
        return block.events.column(name, rows)

    platform = column("platform")
    post_number = block.post_number[rows]
    post_ids = optional_ids("P", np.where(post_number == NONE, NONE, post_number + 1), POST_ID_DIGITS)
    campaign, score, points = column("campaign"), column("score"), column("points")
    return pa.table(
        {
            "event_id": ids("E", numbers, EVENT_ID_DIGITS),
            "member_id": member_ids(column("member")),
            "occurred_at": timestamps(column("occurred_at")),
            "event_type": names_of(contract.EVENT_TYPES, column("event_type")),
            "platform": names_of(contract.PLATFORMS, platform),
            "is_public_domain": pa.array(np.isin(platform, codes(contract.PLATFORMS, *contract.PUBLIC_PLATFORMS))),
            "content_id": pc.coalesce(post_ids, names_of(contract.SURVEY_IDS, column("survey"))),
            "campaign_id": campaigns.id_column(campaign),
            "campaign_type": campaigns.type_column(campaign),
            "related_member_id": optional_member_ids(column("related")),
            "score": values_or_null(score.astype(np.int64), score == NONE),
            "points": values_or_null(points, points == NONE),
            "message_type": names_of(contract.MESSAGE_TYPES, column("message_type")),
            "tag_key": names_of(TAG_KEYS, column("tag_key")),
            "tag_value": names_of(TAG_VALUES, column("tag_value")),
        },
        schema=contract.TABLES_BY_NAME["raw_interactions"].schema,
    )


def post_metrics_table(block: EventBlock, members: MemberBlock, end: int, rng: np.random.Generator) -> pa.Table:
    """Cumulative metric snapshots of each post 1, 7 and 30 days after publication (those seen by the end)."""
    posts = block.posts()
    member = block.events.column("member", posts)
    published = block.events.column("occurred_at", posts)
    platform = block.events.column("platform", posts)
    final = _final_counts(
        np.isin(platform, codes(contract.PLATFORMS, *contract.PUBLIC_PLATFORMS)),
        members.follower[members.local(member)],
        rng,
    )
    snapshot_post, observed, share = _snapshots(published, end)
    counts = {name: np.floor(values[snapshot_post] * share).astype(np.int64) for name, values in final.items()}
    return pa.table(
        {
            "post_id": ids("P", block.post_number[posts][snapshot_post] + 1, POST_ID_DIGITS),
            "member_id": member_ids(member[snapshot_post]),
            "platform": names_of(contract.PLATFORMS, platform[snapshot_post]),
            "published_at": timestamps(published[snapshot_post]),
            "observed_at": timestamps(observed),
            **{name: pa.array(values) for name, values in counts.items()},
        },
        schema=contract.TABLES_BY_NAME["raw_ugc_post_metrics"].schema,
    )


def _final_counts(public: np.ndarray, followers: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Reach grows with followers and is far larger in the public domain; engagement is a few per cent."""
    size = len(public)
    reach = np.where(public, 40.0, 3.0) * np.exp(rng.normal(0, 1.0, size=size)) * np.sqrt(followers + 50)
    exposures = np.round(reach * 10).astype(np.int64)
    engaged = exposures * rng.beta(2, 40, size=size)
    return {"exposures": exposures} | {
        name: np.round(engaged * share).astype(np.int64) for name, share in ENGAGEMENT_SPLIT.items()
    }


def _snapshots(published: np.ndarray, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(post position, observed instant, share of the final counts) per snapshot, by post then time."""
    post = np.concatenate([np.arange(len(published))] * len(SNAPSHOTS))
    lag_days = np.repeat([lag for lag, _ in SNAPSHOTS], len(published))
    share = np.repeat([share for _, share in SNAPSHOTS], len(published))
    observed = published[post] + lag_days * DAY
    seen = observed <= end
    order = np.lexsort((observed[seen], post[seen]))
    return post[seen][order], observed[seen][order], share[seen][order]
