"""How numbers are shown to people. Charts also carry the raw value (``data-value``) for machines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

Number = int | float | Decimal

# KPIs of rpt_private_domain_kpis shown in CNY; the others are counts, ratios or scores (see kpi_kind).
CNY_KPIS = {"aov", "arpu"}
RATIO_SUFFIXES = ("_rate", "_share")
RATIO_KPIS = {"stickiness"}


def esc(value: object) -> str:
    """Text or attribute value, HTML-escaped (quotes included)."""
    return escape("" if value is None else str(value), quote=True)


def raw(value: object) -> str:
    """The unrounded value for a ``data-*`` attribute: Decimals and ints as DuckDB gave them, floats
    with repr (round-trips exactly), null as the empty string."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def pct(value: Number | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.{digits}f}%"


def integer(value: Number | None) -> str:
    return "n/a" if value is None else f"{int(value):,}"


def cny(value: Number | None) -> str:
    return "n/a" if value is None else f"{float(value):,.2f} CNY"


def kpi_kind(kpi: str) -> str:
    """ratio, cny or number: decides how a KPI's value and band are written."""
    if kpi in RATIO_KPIS or kpi.endswith(RATIO_SUFFIXES):
        return "ratio"
    if kpi in CNY_KPIS:
        return "cny"
    return "number"


def kpi_value(kpi: str, value: Number | None) -> str:
    if value is None:
        return "no value"
    kind = kpi_kind(kpi)
    if kind == "ratio":
        return pct(value, 2 if abs(float(value)) < 0.1 else 1)
    if kind == "cny":
        return cny(value)
    as_float = float(value)
    return f"{as_float:,.0f}" if as_float == int(as_float) else f"{as_float:,.2f}"


def kpi_band(kpi: str, low: Number | None, high: Number | None) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f">= {kpi_value(kpi, low)}"
    if low is None:
        return f"<= {kpi_value(kpi, high)}"
    return f"{kpi_value(kpi, low)} - {kpi_value(kpi, high)}"


def period_label(start: dt.date, grain: str) -> str:
    """A cohort's name: 2024-09 for months, the ISO week (2024-W36) for weeks."""
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m")
