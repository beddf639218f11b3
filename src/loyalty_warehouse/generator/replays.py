"""At-least-once delivery: a few rows arrive twice, as exact copies right after the original."""

from __future__ import annotations

import numpy as np


def replay_positions(rows: int, share: float, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Row positions with ``share`` of the rows repeated right after themselves, and the number of copies.

    Applied to the numpy columns before the table is built, so a copy costs what a row costs.
    """
    copies = int(round(rows * share))
    positions = np.arange(rows)
    if copies == 0:
        return positions, 0
    replayed = rng.choice(rows, size=copies, replace=False)
    return np.sort(np.concatenate([positions, replayed]), kind="stable"), copies
