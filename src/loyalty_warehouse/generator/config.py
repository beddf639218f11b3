"""What one generator run is asked for, and the member archetypes it plants."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

DAY = 86_400  # seconds
# Bump when the generated data changes for the same arguments (demo data is then regenerated).
GENERATOR_VERSION = 6
# Members are generated, written and freed this many at a time; memory follows the block, not the brand.
MEMBERS_PER_BLOCK = 20_000

ARCHETYPES = ("prospect", "regular", "churner", "super_user", "koc")
# Share of members per archetype; KOCs are further split into sub-behaviours below.
ARCHETYPE_SHARES = (0.18, 0.46, 0.16, 0.17, 0.03)
# Super users and KOCs: the advocates who refer most new members, and the planted high-value members.
ADVOCATES = ("super_user", "koc")
KOC_BEHAVIOURS = ("steady", "dormant", "posting_only_decline", "graduate")
KOC_BEHAVIOUR_SHARES = (0.45, 0.30, 0.15, 0.10)

# numpy columns hold enum values as indexes into a tuple of names; NONE marks "no value" (a null
# in the table) for codes and instants alike.
NONE = -1


@dataclass(frozen=True)
class GeneratorConfig:
    members: int = 50_000
    seed: int = 42
    start_date: dt.date = dt.date(2023, 1, 1)
    end_date: dt.date = dt.date(2024, 12, 31)
    bad_rows: bool = False
    replay_share: float = 0.001  # at-least-once delivery: exact duplicate rows
    # Part of what the data is: another block size draws other members (each block has its own streams).
    block_members: int = MEMBERS_PER_BLOCK

    def __post_init__(self) -> None:
        if self.members < 100:
            raise ValueError("--members must be at least 100 so every behaviour can be planted")
        if (self.end_date - self.start_date).days < 365:
            raise ValueError("the date range must span at least 365 days (use --start/--end)")
        if self.block_members < 100:
            raise ValueError(
                "--block-members must be at least 100 (a block must be big enough to plant every behaviour)"
            )

    @property
    def blocks(self) -> int:
        return math.ceil(self.members / self.block_members)

    def block_bounds(self, block: int) -> tuple[int, int]:
        """Member numbers (0-based, end exclusive) of one block."""
        first = block * self.block_members
        return first, min(first + self.block_members, self.members)


def epoch_seconds(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
