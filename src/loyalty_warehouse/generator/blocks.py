"""One member block, in two steps: plant it (everything random, on numpy arrays), then build its
tables once the blocks before it have said how many orders, events, posts and participations they
numbered (ids run on across blocks). Only the second step waits for earlier blocks, so several
blocks can be planted at once and the output is the same however many are."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .campaigns import Campaigns, plan_campaigns
from .config import NONE, GeneratorConfig
from .events import EventBuffer
from .ground_truth import ground_truth_table
from .interactions import add_member_events
from .koc import Participations, participations_table, plant_participations
from .members import MemberBlock, members_table, plant_members
from .orders import OrderBlock, orders_table, plant_orders
from .posts import (
    EventBlock,
    interactions_table,
    number_posts,
    participation_posts,
    post_metrics_table,
)
from .registration import Registrations
from .replays import replay_positions
from .streams import Streams
from .timeline import Timeline


@dataclass
class RunPlan:
    """What every block shares: the configuration, streams, seasons, registration curve and campaigns."""

    cfg: GeneratorConfig
    streams: Streams
    timeline: Timeline
    registrations: Registrations
    campaigns: Campaigns


@dataclass(frozen=True)
class Numbering:
    """Orders, events, posts and participations numbered by the blocks before one (its ids start after them)."""

    orders: int = 0
    events: int = 0
    posts: int = 0
    participations: int = 0

    def after(self, block: PlantedBlock) -> Numbering:
        return Numbering(
            orders=self.orders + block.orders.size,
            events=self.events + block.events.events.size,
            posts=self.posts + block.post_count,
            participations=self.participations + block.participations.size,
        )


@dataclass
class PlantedBlock:
    number: int
    members: MemberBlock
    orders: OrderBlock
    events: EventBlock  # post numbers still block-local (0-based)
    participations: Participations
    order_rows: np.ndarray  # positions of the rows written, exact replays repeated
    event_rows: np.ndarray
    replays: dict[str, int]

    @property
    def post_count(self) -> int:
        return len(self.events.posts())


@dataclass
class Block:
    number: int
    tables: dict[str, pa.Table]
    replays: dict[str, int]


def plant_block(plan: RunPlan, number: int) -> PlantedBlock:
    first, stop = plan.cfg.block_bounds(number)
    end = plan.timeline.end

    def stream(name: str) -> np.random.Generator:
        return plan.streams.block(number, name)

    members = plant_members(first, stop, plan.registrations, plan.timeline, stream("members"))
    orders = plant_orders(members, plan.campaigns, plan.timeline, stream("orders"))
    buffer = EventBuffer()
    add_member_events(members, orders, plan.campaigns, plan.registrations, end, stream("interactions"), buffer)
    participations = plant_participations(members, plan.campaigns, end, stream("koc"), buffer)
    events = number_posts(buffer.finish(end), first_post_number=0)
    replay_stream = stream("replays")
    order_rows, order_copies = replay_positions(orders.size, plan.cfg.replay_share, replay_stream)
    event_rows, event_copies = replay_positions(events.events.size, plan.cfg.replay_share, replay_stream)
    return PlantedBlock(
        number,
        members,
        orders,
        events,
        participations,
        order_rows,
        event_rows,
        {"raw_orders": order_copies, "raw_interactions": event_copies},
    )


def block_tables(plan: RunPlan, planted: PlantedBlock, numbering: Numbering) -> Block:
    """The block's rows of every output table, with ids numbered on from ``numbering``."""
    end = plan.timeline.end
    local_posts = planted.events.post_number
    events = EventBlock(planted.events.events, np.where(local_posts == NONE, NONE, local_posts + numbering.posts))
    participations = planted.participations
    tables = {
        "raw_members": members_table(planted.members),
        "raw_orders": orders_table(
            planted.orders.take(planted.order_rows), numbering.orders + 1 + planted.order_rows, plan.campaigns
        ),
        "raw_interactions": interactions_table(
            events, planted.event_rows, numbering.events + 1 + planted.event_rows, plan.campaigns
        ),
        "raw_ugc_post_metrics": post_metrics_table(
            events, planted.members, end, plan.streams.block(planted.number, "posts")
        ),
        "raw_koc_participations": participations_table(
            participations,
            numbering.participations,
            participation_posts(events, participations.size),
            end,
            plan.campaigns,
        ),
        "ground_truth": ground_truth_table(planted.members),
    }
    return Block(planted.number, tables, planted.replays)


def make_plan(cfg: GeneratorConfig) -> RunPlan:
    streams = Streams(cfg.seed)
    timeline = Timeline(cfg)
    registrations = Registrations(cfg, timeline, streams)
    return RunPlan(cfg, streams, timeline, registrations, plan_campaigns(cfg, timeline, streams.run("campaigns")))
