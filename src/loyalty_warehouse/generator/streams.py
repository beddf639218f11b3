"""Named random streams: one set for the whole run, one per member block, and per-member uniforms.

Every draw comes from a stream named after what it is for, so adding a draw to one table does not
shift the others, and a block's streams depend only on the seed and the block number: the same
block gives the same rows however many blocks come before it or are generated at once.
"""

from __future__ import annotations

import numpy as np

_RUN_SCOPE = 0
_BLOCK_SCOPE = 1
_MEMBER_SCOPE = 2
# splitmix64 constants (a well-known 64-bit mixing function)
_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def _name_key(name: str) -> list[int]:
    return [ord(character) for character in name]


class Streams:
    def __init__(self, seed: int) -> None:
        self.seed = seed

    def run(self, name: str) -> np.random.Generator:
        """A stream for run-wide facts (the campaign calendar, the registration curve)."""
        return np.random.default_rng(np.random.SeedSequence([self.seed, _RUN_SCOPE, *_name_key(name)]))

    def block(self, block: int, name: str) -> np.random.Generator:
        """A stream for one member block."""
        return np.random.default_rng(np.random.SeedSequence([self.seed, _BLOCK_SCOPE, block, *_name_key(name)]))

    def member_uniforms(self, name: str, members: np.ndarray) -> np.ndarray:
        """One uniform in [0, 1) per member number, the same whichever block asks.

        A counter-based hash, not a sequential generator: the registration and archetype of any
        earlier member (someone's referrer, in another block) can be recomputed on its own.
        """
        key = np.random.SeedSequence([self.seed, _MEMBER_SCOPE, *_name_key(name)]).generate_state(1, np.uint64)[0]
        with np.errstate(over="ignore"):
            mixed = key + (np.asarray(members, dtype=np.uint64) + np.uint64(1)) * _GOLDEN_GAMMA
            mixed = (mixed ^ (mixed >> np.uint64(30))) * _MIX_1
            mixed = (mixed ^ (mixed >> np.uint64(27))) * _MIX_2
            mixed = mixed ^ (mixed >> np.uint64(31))
        return (mixed >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
