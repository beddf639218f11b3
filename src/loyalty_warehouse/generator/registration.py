"""When each member registers and as which archetype, computable for any member number alone.

Member ids follow registration order, as a CRM issues them. Drawing every member and sorting
would need all of them in memory at once, so instead member ``i`` of ``n`` registers at the
``(i + u)/n`` quantile of the registration curve (``u`` uniform in [0, 1)): instants rise with
the member number across blocks. The archetype is then drawn given the registration instant.
Both uniforms are per-member hashes (``Streams.member_uniforms``), so the registration and
archetype of a member in another block (a referrer) are recomputed without generating it.
"""

from __future__ import annotations

import numpy as np

from .columns import code, codes
from .config import ADVOCATES, ARCHETYPE_SHARES, ARCHETYPES, DAY, NONE, GeneratorConfig
from .streams import Streams
from .timeline import Timeline, cumulative_share, season_weights

# How late in the range (share of its length) each archetype can still register: KOCs and super
# users are long-standing members, so their behaviour (and any decline) is visible in the data.
LATEST_REGISTRATION_SHARE = {"churner": 0.7, "super_user": 0.6, "koc": 0.35}
# Everyone else registers up to this long before the end, so nobody is a member for only a day.
DEFAULT_REGISTRATION_MARGIN_DAYS = 45
# Day-to-day noise on the registration curve (one factor per day, shared by the whole run).
DAILY_ACQUISITION_NOISE = 0.15
REFERRED_SHARE = 0.15  # of members, referred by an earlier member
ADVOCATE_REFERRER_SHARE = 0.7  # of referred members, referred by a super user or KOC
# Draws per member when looking for an earlier advocate; the chance of no advocate in all of them is negligible.
REFERRER_CANDIDATES = 48


class Registrations:
    def __init__(self, cfg: GeneratorConfig, timeline: Timeline, streams: Streams) -> None:
        self.members = cfg.members
        self.timeline = timeline
        self.streams = streams
        self.latest = self._latest_registration_positions(timeline)
        daily_noise = np.exp(streams.run("registration_days").normal(0, DAILY_ACQUISITION_NOISE, timeline.days))
        day_cdf = cumulative_share(season_weights(cfg.start_date, timeline.days) * daily_noise)
        self._build_curve(day_cdf)

    @staticmethod
    def _latest_registration_positions(timeline: Timeline) -> np.ndarray:
        """Latest registration per archetype, in days since the start of the range."""
        span_days = (timeline.end - timeline.start) / DAY
        default = span_days - DEFAULT_REGISTRATION_MARGIN_DAYS
        return np.array(
            [
                span_days * LATEST_REGISTRATION_SHARE[name] if name in LATEST_REGISTRATION_SHARE else default
                for name in ARCHETYPES
            ]
        )

    def _build_curve(self, day_cdf: np.ndarray) -> None:
        """The registration CDF of the archetype mixture: archetype ``a`` registers on the seasonal
        curve truncated at its latest day, so the mixture is linear between day boundaries and
        those latest days, and inverting it is one interpolation."""
        boundaries = self.timeline.day_boundaries
        shares = np.array(ARCHETYPE_SHARES)
        share_at_latest = np.interp(self.latest, boundaries, day_cdf)
        grid = np.unique(np.concatenate([boundaries, self.latest]))
        grid = grid[grid <= self.latest.max()]
        share_on_grid = np.interp(grid, boundaries, day_cdf)
        mixture = (np.minimum(share_on_grid[:, None] / share_at_latest[None, :], 1.0) * shares).sum(axis=1)
        self._grid, self._mixture_cdf = grid, mixture
        # density of archetype a at an instant before its latest day, relative to the others
        self._archetype_weight = shares / share_at_latest

    def positions(self, members: np.ndarray) -> np.ndarray:
        quantiles = (members + self.streams.member_uniforms("registration", members)) / self.members
        positions = np.interp(quantiles, self._mixture_cdf, self._grid)
        # strictly before the last latest day, so some archetype can always register then
        return np.minimum(positions, np.nextafter(self._grid[-1], 0))

    def registered_at(self, members: np.ndarray) -> np.ndarray:
        return self.timeline.start + (self.positions(members) * DAY).astype(np.int64)

    def archetypes(self, members: np.ndarray) -> np.ndarray:
        """Archetype index of each member, given when it registered."""
        still_open = self.positions(members)[:, None] < self.latest[None, :]
        weights = np.where(still_open, self._archetype_weight[None, :], 0.0)
        cumulative = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
        uniforms = self.streams.member_uniforms("archetype", members)
        chosen = (uniforms[:, None] >= cumulative).sum(axis=1)
        return np.minimum(chosen, len(ARCHETYPES) - 1)

    def referrers(self, members: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Referrer member number per member (NONE if not referred): 15 % were referred by an
        earlier member, mostly by advocates (super users and KOCs), otherwise by anyone earlier."""
        referrer = np.full(len(members), NONE, dtype=np.int64)
        referred = (rng.random(len(members)) < REFERRED_SHARE) & (members > 0)
        by_advocate = referred & (rng.random(len(members)) < ADVOCATE_REFERRER_SHARE)
        anyone = referred & ~by_advocate
        referrer[anyone] = (rng.random(int(anyone.sum())) * members[anyone]).astype(np.int64)
        referrer[by_advocate] = self._earlier_advocates(members[by_advocate], rng)
        return referrer

    def _earlier_advocates(self, members: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A uniformly chosen advocate registered before each member (rejection sampling over
        earlier members); where none was drawn, the first candidate, whoever it is."""
        candidates = (rng.random((len(members), REFERRER_CANDIDATES)) * members[:, None]).astype(np.int64)
        archetype = self.archetypes(candidates.ravel()).reshape(candidates.shape)
        is_advocate = np.isin(archetype, codes(ARCHETYPES, *ADVOCATES))
        first_advocate = np.where(is_advocate.any(axis=1), is_advocate.argmax(axis=1), 0)
        return candidates[np.arange(len(members)), first_advocate]


def is_archetype(archetype: np.ndarray, name: str) -> np.ndarray:
    return archetype == code(ARCHETYPES, name)
