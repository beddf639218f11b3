"""The date range of a run and its seasonal rhythm (growth, 6.18 and 11.11 peaks, weekends)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .config import DAY, GeneratorConfig, epoch_seconds

JUNE_18_DAY_OF_YEAR = 169
NOVEMBER_11_DAY_OF_YEAR = 315


def season_weights(first_day: dt.date, days: int) -> np.ndarray:
    """Relative activity per day: growth over the range, peaks around 6.18 and 11.11, weekend lift."""
    dates = [first_day + dt.timedelta(days=offset) for offset in range(days)]
    day_of_year = np.array([date.timetuple().tm_yday for date in dates])
    weekday = np.array([date.weekday() for date in dates])
    growth = 1.0 + np.arange(days) / days
    peak_618 = 1.2 * np.exp(-0.5 * ((day_of_year - JUNE_18_DAY_OF_YEAR) / 6.0) ** 2)
    peak_1111 = 2.0 * np.exp(-0.5 * ((day_of_year - NOVEMBER_11_DAY_OF_YEAR) / 5.0) ** 2)
    weekend = np.where(weekday >= 5, 1.15, 1.0)
    return growth * (1.0 + peak_618 + peak_1111) * weekend


def cumulative_share(weights: np.ndarray) -> np.ndarray:
    """Share of the total weight before each day boundary (0 .. 1, one more entry than days)."""
    return np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])


class Timeline:
    """Seasonal sampling of instants between two instants, by inverse CDF over the days."""

    def __init__(self, cfg: GeneratorConfig) -> None:
        self.start = epoch_seconds(cfg.start_date)
        self.end = epoch_seconds(cfg.end_date) + DAY - 1  # the last second of the last day
        self.days = (cfg.end_date - cfg.start_date).days + 1
        self.day_boundaries = np.arange(self.days + 1)
        self.cdf = cumulative_share(season_weights(cfg.start_date, self.days))

    def day_position(self, instants: np.ndarray) -> np.ndarray:
        """Days (fractional) since the start, clipped to the range."""
        return np.clip((instants - self.start) / DAY, 0, self.days)

    def sample(self, earliest: np.ndarray, latest: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """Seasonally weighted instants in [earliest, latest] (epoch seconds), one per uniform."""
        cdf_low = np.interp(self.day_position(earliest), self.day_boundaries, self.cdf)
        cdf_high = np.interp(self.day_position(latest), self.day_boundaries, self.cdf)
        position = np.interp(cdf_low + uniforms * (cdf_high - cdf_low), self.cdf, self.day_boundaries)
        instants = self.start + (position * DAY).astype(np.int64)
        return np.clip(instants, earliest, latest).astype(np.int64)
