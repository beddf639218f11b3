"""The raw data contract: which raw tables exist, their columns, types and allowed values.

This module is the single Python definition of the contract. The generator writes
files with exactly these columns, the preflight check validates a user's files
against it, and a test keeps `models/staging/raw/_raw__sources.yml` in sync with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

ACQUISITION_CHANNELS = (
    "official_account_post",
    "wechat_ad",
    "offline_sample",
    "pop_up",
    "official_mall",
    "wechat_search",
    "store",
    "referral",
    "public_domain_other",
    "other",
)
GENDERS = ("female", "male", "unknown")
CITY_TIERS = ("tier_1", "tier_2", "tier_3", "tier_4_plus")
SOCIAL_PLATFORMS = ("xiaohongshu", "douyin", "weibo")
RELATIONSHIP_END_REASONS = ("asset_sold", "asset_traded_in", "account_closed", "other")
ORDER_STATUSES = ("paid", "partially_refunded", "refunded", "cancelled")
ORDER_CHANNELS = ("mini_program", "official_mall", "store", "wecom", "live", "public_platform")
EVENT_TYPES = (
    "login",
    "community_visit",
    "content_view",
    "like",
    "comment",
    "favorite",
    "share",
    "ugc_post",
    "activity_join",
    "seeding_activity_join",
    "koc_campaign_join",
    "koc_product_shipped",
    "koc_feedback_submitted",
    "check_in",
    "survey_completed",
    "wecom_follow",
    "group_join",
    "blind_box_draw",
    "one_to_one_contact",
    "referral_invite",
    "referral_registered",
    "nps_response",
    "complaint",
    "service_rating",
    "points_earn",
    "points_redeem",
    "message_received",
    "farewell_post",
    "graduation",
    "badge_granted",
    "advisory_session",
    "mentor_session",
)
PLATFORMS = (
    "wecom",
    "wechat_group",
    "mini_program",
    "official_account",
    "video_account",
    "app",
    "store",
    "xiaohongshu",
    "douyin",
    "weibo",
)
PUBLIC_PLATFORMS = ("xiaohongshu", "douyin", "weibo")
CAMPAIGN_TYPES = (
    "all_category_share",
    "new_product_review",
    "evergreen_experience",
    "seeding",
    "online_activity",
    "marketing",
    "challenge",
)
KOC_CAMPAIGN_TYPES = ("all_category_share", "new_product_review", "evergreen_experience")
MESSAGE_TYPES = ("generic_notification", "wake_up", "birthday", "rainy_day_care", "member_day")
SURVEY_IDS = ("onboarding_questionnaire", "post_order_survey")
BADGES = ("brand_close_friend", "honorary_owner")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    allowed: tuple[str, ...] | None = None

    @property
    def sql_type(self) -> str:
        return _SQL_TYPES[str(self.type)]


@dataclass(frozen=True)
class RawTable:
    name: str
    grain: str
    description: str
    required: bool
    key: str
    # New rows arrive every day, so the file's age is checked (dbt source freshness).
    arrives_daily: bool
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_SQL_TYPES = {
    "string": "varchar",
    "timestamp[us]": "timestamp",
    "double": "double",
    "int64": "bigint",
    "bool": "boolean",
}

TS = pa.timestamp("us")
STR = pa.string()

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="raw_members",
        grain="One row per member.",
        description="Members of the brand's private domain (WeCom, groups, mini-program, stores).",
        required=True,
        arrives_daily=True,
        key="member_id",
        columns=(
            Column("member_id", STR, "Member identifier (primary key).", nullable=False),
            Column("registered_at", TS, "When the person joined the private domain, UTC.", nullable=False),
            Column("acquisition_channel", STR, "Where the member was acquired.", allowed=ACQUISITION_CHANNELS),
            Column("referrer_member_id", STR, "Member who referred this member, if any."),
            Column("birth_year", pa.int64(), "Year of birth, if known."),
            Column("gender", STR, "Gender as given by the member.", allowed=GENDERS),
            Column("city", STR, "City name as given (may be Chinese text)."),
            Column("city_tier", STR, "City tier.", allowed=CITY_TIERS),
            Column("is_store_user", pa.bool_(), "Member is known from a physical store."),
            Column("is_community_user", pa.bool_(), "Member is in at least one brand community group."),
            Column(
                "social_platforms",
                STR,
                "Comma-separated public platforms where the member has an account.",
                allowed=SOCIAL_PLATFORMS,
            ),
            Column("follower_count", pa.int64(), "Followers on the member's main public account."),
            Column("wecom_followed_at", TS, "When the member added the brand's WeCom account, UTC."),
            Column("group_joined_at", TS, "When the member first joined a brand group, UTC."),
            Column("relationship_ended_at", TS, "When the member's relationship with the brand ended, UTC."),
            Column(
                "relationship_end_reason",
                STR,
                "Why the relationship ended (generalises selling or trading in the product).",
                allowed=RELATIONSHIP_END_REASONS,
            ),
        ),
    ),
    RawTable(
        name="raw_orders",
        grain="One row per order.",
        description="Orders placed by members in private and public channels.",
        required=True,
        arrives_daily=True,
        key="order_id",
        columns=(
            Column("order_id", STR, "Order identifier (primary key).", nullable=False),
            Column("member_id", STR, "Member who placed the order.", nullable=False),
            Column("ordered_at", TS, "When the order was placed, UTC.", nullable=False),
            Column("status", STR, "Order status.", nullable=False, allowed=ORDER_STATUSES),
            Column(
                "gross_amount",
                pa.float64(),
                "List value of the order before discounts, in the brand's currency (var currency_code).",
            ),
            Column("discount_amount", pa.float64(), "Discount granted."),
            Column("paid_amount", pa.float64(), "Amount paid (0 for orders cancelled before payment)."),
            Column("refund_amount", pa.float64(), "Amount refunded."),
            Column("channel", STR, "Sales channel.", allowed=ORDER_CHANNELS),
            Column("is_private_domain", pa.bool_(), "Order came through a private-domain channel."),
            Column("campaign_id", STR, "Campaign the order is attributed to, if any."),
            Column("contains_traffic_product", pa.bool_(), "Order contains a traffic (entry) product."),
            Column("first_item_category", STR, "Category of the first item in the order."),
        ),
    ),
    RawTable(
        name="raw_interactions",
        grain="One row per event.",
        description="Typed member events: engagement, content, campaigns, surveys, referrals, messages.",
        required=False,
        arrives_daily=True,
        key="event_id",
        columns=(
            Column("event_id", STR, "Event identifier (primary key).", nullable=False),
            Column("member_id", STR, "Member the event belongs to.", nullable=False),
            Column("occurred_at", TS, "When the event happened, UTC.", nullable=False),
            Column("event_type", STR, "What happened.", nullable=False, allowed=EVENT_TYPES),
            Column("platform", STR, "Where it happened.", allowed=PLATFORMS),
            Column("is_public_domain", pa.bool_(), "Event happened on a public platform."),
            Column("content_id", STR, "Post id for ugc_post and reactions to a post; survey id for surveys."),
            Column("campaign_id", STR, "Campaign the event belongs to, if any."),
            Column("campaign_type", STR, "Type of that campaign.", allowed=CAMPAIGN_TYPES),
            Column("related_member_id", STR, "The referred member, for referral events."),
            Column("score", pa.int64(), "NPS 0-10 for nps_response; 1-5 for service_rating."),
            Column("points", pa.int64(), "Points moved, for points_earn / points_redeem."),
            Column("message_type", STR, "Kind of outbound message, for message_received.", allowed=MESSAGE_TYPES),
            Column("tag_key", STR, "Tag key (e.g. skin_type) for survey answers, interests and badges."),
            Column("tag_value", STR, "Tag value."),
        ),
    ),
    RawTable(
        name="raw_ugc_post_metrics",
        grain="One row per UGC post per observation.",
        description="Snapshots of the public metrics of each member post (cumulative counts).",
        required=False,
        arrives_daily=False,
        key="post_id, observed_at",
        columns=(
            Column("post_id", STR, "Post id (the content_id of the ugc_post event).", nullable=False),
            Column("member_id", STR, "Author.", nullable=False),
            Column("platform", STR, "Platform the post is on.", allowed=PLATFORMS),
            Column("published_at", TS, "When the post was published, UTC."),
            Column("observed_at", TS, "When these counts were read, UTC.", nullable=False),
            Column("exposures", pa.int64(), "Cumulative exposures (views) at observed_at."),
            Column("likes", pa.int64(), "Cumulative likes at observed_at."),
            Column("comments", pa.int64(), "Cumulative comments at observed_at."),
            Column("favorites", pa.int64(), "Cumulative favorites at observed_at."),
            Column("shares", pa.int64(), "Cumulative shares at observed_at."),
        ),
    ),
    RawTable(
        name="raw_campaigns",
        grain="One row per campaign.",
        description="Marketing, community and KOC campaigns with their cost.",
        required=False,
        arrives_daily=False,
        key="campaign_id",
        columns=(
            Column("campaign_id", STR, "Campaign identifier (primary key).", nullable=False),
            Column("campaign_name", STR, "Display name."),
            Column("campaign_type", STR, "Campaign type.", nullable=False, allowed=CAMPAIGN_TYPES),
            Column("channel", STR, "Main channel the campaign runs in.", allowed=PLATFORMS),
            Column("starts_at", TS, "Start, UTC."),
            Column("ends_at", TS, "End, UTC."),
            Column("cost", pa.float64(), "Total cost, in the brand's currency."),
            Column("feedback_due_days", pa.int64(), "Days after shipment that KOC feedback is due."),
        ),
    ),
    RawTable(
        name="raw_koc_participations",
        grain="One row per member per KOC campaign participation.",
        description="KOC campaign participations: product shipped, feedback due, submitted and its compliance.",
        required=False,
        arrives_daily=False,
        key="participation_id",
        columns=(
            Column("participation_id", STR, "Participation identifier (primary key).", nullable=False),
            Column("campaign_id", STR, "KOC campaign joined.", nullable=False),
            Column("member_id", STR, "Participating member.", nullable=False),
            Column("joined_at", TS, "When the member joined, UTC.", nullable=False),
            Column("product_shipped_at", TS, "When the brand shipped the product, UTC."),
            Column("feedback_due_at", TS, "Feedback deadline, UTC."),
            Column("feedback_submitted_at", TS, "When feedback was submitted, UTC (null = missing)."),
            Column("feedback_compliant", pa.bool_(), "Feedback met the campaign's requirements."),
            Column("post_id", STR, "The UGC post that carried the feedback, if any."),
        ),
    ),
)

TABLES_BY_NAME = {t.name: t for t in RAW_TABLES}


def render_markdown() -> str:
    """The contract as Markdown tables (the README's 'Raw data contract' section is this text)."""
    out: list[str] = []
    for table in RAW_TABLES:
        kind = "required" if table.required else "optional"
        out.append(f"#### `{table.name}` ({kind}) - {table.grain} Key: `{table.key}`.\n")
        out.append(f"{table.description}\n")
        out.append("| column | type | meaning | allowed values |")
        out.append("|---|---|---|---|")
        for col in table.columns:
            allowed = ", ".join(f"`{v}`" for v in col.allowed) if col.allowed else ""
            meaning = col.description + ("" if col.nullable else " Never null.")
            out.append(f"| `{col.name}` | {col.sql_type} | {meaning} | {allowed} |")
        out.append("")
    return "\n".join(out)
