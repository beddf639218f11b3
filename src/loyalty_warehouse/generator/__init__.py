"""Synthetic raw data for the warehouse: realistic, deterministic, and streamed by member block.

Same arguments -> byte-identical files. Members are generated ``block_members`` at a time; each
block's rows are written to the Parquet files and freed, so memory stays flat at any brand size.
The generator plants behaviours (super users, KOCs, dormant KOCs, churners, members who end the
relationship) and writes them to ``ground_truth.parquet`` so tests can measure whether the marts
recover them.

Modules, in the order a block is built: ``registration`` (who registers when, as which
archetype, referred by whom), ``members``, ``orders``, ``interactions`` (event families),
``koc`` (campaign participations), ``posts`` (ids, post metrics), ``ground_truth``, ``replays``,
``bad_rows``; ``run`` drives the blocks and ``writer`` streams them to Parquet.
"""

from .bad_rows import BAD_ROW_CLASSES
from .config import (
    ARCHETYPES,
    GENERATOR_VERSION,
    KOC_BEHAVIOURS,
    MEMBERS_PER_BLOCK,
    GeneratorConfig,
)
from .run import generate

__all__ = [
    "ARCHETYPES",
    "BAD_ROW_CLASSES",
    "GENERATOR_VERSION",
    "KOC_BEHAVIOURS",
    "MEMBERS_PER_BLOCK",
    "GeneratorConfig",
    "generate",
]
