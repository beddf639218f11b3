"""The dashboard page: one HTML document with every view; selectors are a plain GET form.

No JavaScript: each selector is a ``<select>`` bound to the one form ``filters`` (HTML's ``form``
attribute), so choosing a basis or a period and pressing Show reloads the page with every choice
in the URL (bookmarkable, testable with a plain HTTP GET).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

import duckdb

from . import charts, data
from .formatting import cny, esc, integer, kpi_band, kpi_value, pct

TITLE = "loyalty-warehouse dashboard"


class BadRequest(ValueError):
    """A selector value that the warehouse does not have; the message lists the valid ones."""


@dataclass(frozen=True)
class Selection:
    """What the reader chose (query string), resolved against what the warehouse has."""

    definition: str
    basis: str
    koc_period: dt.date | None
    kpi_month: dt.date | None


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values and values[-1] != "" else None


def _choose(name: str, wanted: str | None, available: list, default_index: int = 0):
    """``wanted`` if the warehouse has it (compared as text), else the default; unknown -> BadRequest."""
    if not available:
        return None
    if wanted is None:
        return available[default_index]
    for option in available:
        if str(option) == wanted:
            return option
    shown = ", ".join(str(option) for option in available[:12]) + (" ..." if len(available) > 12 else "")
    raise BadRequest(f"unknown {name} {wanted!r}: choose one of {shown}")


def resolve_selection(con: duckdb.DuckDBPyConnection, query_string: str) -> Selection:
    query = parse_qs(query_string, keep_blank_values=True)
    options = _safe(lambda: data.cohort_options(con), data.CohortOptions([], []))
    periods = _safe(lambda: data.koc_periods(con), [])
    months = [m["month_start_date"] for m in _safe(lambda: data.kpi_months(con), [])]
    return Selection(
        definition=_choose("cohort definition", _one(query, "definition"), options.definitions) or "",
        basis=_choose("retention basis", _one(query, "basis"), options.bases) or "",
        koc_period=_choose("KOC period", _one(query, "koc_period"), periods),
        kpi_month=_choose("KPI month", _one(query, "kpi_month"), months),
    )


def _safe(read: Callable, fallback):
    """Options for the selectors; a missing table shows up as an error in its own section instead."""
    try:
        return read()
    except data.ViewDataError:
        return fallback


# --- building blocks -----------------------------------------------------------------------------


def _select(name: str, label: str, options: list, chosen, describe: Callable[[object], str] = str) -> str:
    items = "".join(
        f'<option value="{esc(option)}"{" selected" if option == chosen else ""}>{esc(describe(option))}</option>'
        for option in options
    )
    return (
        f'<label>{esc(label)} <select name="{esc(name)}" form="filters" data-selector="{esc(name)}">'
        f"{items}</select></label>"
    )


def _show_button(anchor: str) -> str:
    return f'<button type="submit" form="filters" formaction="/#{esc(anchor)}">Show</button>'


def _section(anchor: str, title: str, intro: str, render: Callable[[], str]) -> str:
    try:
        content = render()
    except data.ViewDataError as exc:
        content = f'<p class="error" role="alert">{esc(exc)}</p>'
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2><p class="intro">{intro}</p>{content}</section>'


def _table(headers: list[str], rows: list[list[str]], css_class: str) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{esc(css_class)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# --- the views --------------------------------------------------------------------------------------


def _cohort_view(con: duckdb.DuckDBPyConnection, selection: Selection) -> str:
    options = data.cohort_options(con)
    controls = (
        '<div class="controls">'
        + _select("definition", "Cohort definition", options.definitions, selection.definition)
        + _select("basis", "Retention basis", options.bases, selection.basis)
        + _show_button("cohorts")
        + "</div>"
    )
    cells = data.cohort_cells(con, selection.definition, selection.basis)
    incomplete = sum(1 for c in cells if not c["is_complete_period"])
    note = (
        f'<p class="note">{incomplete} cell(s) are periods still running on the as-of date: hatched, '
        "with no rate until the period ends.</p>"
        if incomplete
        else '<p class="note">Every period shown has ended by the as-of date.</p>'
    )
    return controls + charts.cohort_heatmap(cells, selection.basis) + note


def _rfm_view(con: duckdb.DuckDBPyConnection) -> str:
    segments = data.rfm_segments(con)
    rows = [
        [
            esc(s["rfm_segment"]),
            esc(s["segment_label_zh"]),
            integer(s["members"]),
            pct(s["member_share"]),
            esc(cny(s["net_amount"])),
            pct(s["net_amount_share"]),
            esc(s["recommended_action"]),
        ]
        for s in segments
    ]
    table = _table(
        ["segment", "label", "members", "share of members", "net amount", "share of net amount", "recommended action"],
        rows,
        "rfm",
    )
    return charts.rfm_segment_bars(segments) + table


def _pyramid_view(con: duckdb.DuckDBPyConnection) -> str:
    tiers = data.loyalty_pyramid(con)
    rows = [
        [
            esc(t["kox_tier"]),
            integer(t["members"]),
            pct(t["member_share"]),
            esc(cny(t["net_amount_in_window"])),
            pct(t["net_amount_share"]),
            esc(t["recommended_treatment"]),
            esc(t["recommended_treatment_zh"]),
        ]
        for t in tiers
    ]
    table = _table(
        [
            "tier",
            "members",
            "share of buyers",
            "net amount (window)",
            "share of net amount",
            "treatment",
            "treatment (zh)",
        ],
        rows,
        "pyramid",
    )
    return charts.loyalty_pyramid(tiers) + table


def _koc_view(con: duckdb.DuckDBPyConnection, selection: Selection) -> str:
    periods = data.koc_periods(con)
    if selection.koc_period is None:
        return charts.empty_chart("koc-leaderboard", "No KOC leaderboard in this warehouse (no KOC programme data).")
    controls = (
        '<div class="controls">'
        + _select("koc_period", "Period", periods, selection.koc_period, lambda p: p.strftime("%Y-%m"))
        + _show_button("koc")
        + "</div>"
    )
    rows = data.koc_leaderboard(con, selection.koc_period)
    ranked = data.koc_ranked_count(con, selection.koc_period)
    summary = (
        f'<p class="note" data-koc-period="{esc(selection.koc_period)}">Top {len(rows)} of {ranked:,} '
        f"ranked KOCs in {selection.koc_period:%Y-%m}.</p>"
    )
    table_rows = [
        [
            integer(r["koc_rank"]),
            esc(r["koc_member_id"]),
            esc(r["koc_level"]),
            esc(r["koc_status"]),
            esc(r["koc_score"]),
            integer(r["posts"]),
            integer(r["interactions_received"]),
            integer(r["public_exposure"]),
            integer(r["koc_rank_in_level"]),
        ]
        for r in rows
    ]
    table = _table(
        ["rank", "member", "level", "status", "score", "posts", "interactions", "exposure", "rank in level"],
        table_rows,
        "koc",
    )
    return controls + summary + charts.koc_leaderboard_bars(rows) + table


def _kpi_view(con: duckdb.DuckDBPyConnection, selection: Selection) -> str:
    months = data.kpi_months(con)
    if selection.kpi_month is None:
        return charts.empty_chart("kpi-board", "No KPI board in this warehouse.")
    complete = {m["month_start_date"]: m["is_complete_month"] for m in months}

    def describe(month: dt.date) -> str:
        return month.strftime("%Y-%m") + ("" if complete[month] else " (running)")

    controls = (
        '<div class="controls">'
        + _select("kpi_month", "Month", list(complete), selection.kpi_month, describe)
        + _show_button("kpis")
        + "</div>"
    )
    kpis = data.kpi_board(con, selection.kpi_month)
    running = "" if complete[selection.kpi_month] else " The month is still running on the as-of date."
    rows = [
        [
            esc(k["kpi"]),
            esc(kpi_value(k["kpi"], k["kpi_value"])),
            esc(kpi_band(k["kpi"], k["benchmark_low"], k["benchmark_high"]) or "-"),
            f'<span class="status status-{esc(k["benchmark_status"])}">{esc(k["benchmark_status"])}</span>',
            esc(" ".join(filter(None, [k["benchmark_figure_id"], k["benchmark_source_file"]]))),
        ]
        for k in kpis
    ]
    table = _table(["KPI", "value", "benchmark band", "status", "benchmark source"], rows, "kpis")
    return controls + f'<p class="note">{selection.kpi_month:%Y-%m}.{running}</p>' + charts.kpi_bullets(kpis) + table


def _churn_view(con: duckdb.DuckDBPyConnection) -> str:
    summary = data.churn_risk(con)
    mean = "n/a" if summary.mean_score is None else f"{float(summary.mean_score):.1f}"
    facts = (
        f'<p class="note">{summary.scored_members:,} buyers scored, mean score {mean}; '
        f"{summary.potential_churners:,} potential churners (a warning on the as-of date), "
        f"{summary.past_grace:,} of them past the grace period.</p>"
    )
    return facts + charts.churn_histogram(summary.bins)


# --- the document ---------------------------------------------------------------------------------------


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/static/dashboard.css"></head>'
        f"<body>{body}</body></html>"
    )


def _header(info: dict, quality_report: bool) -> str:
    built = dt.datetime.fromisoformat(info["built_at"])
    quality = ' &middot; <a href="/quality">data quality report</a>' if quality_report else ""
    build_id = (
        f' &middot; build <code data-build="build_id">{esc(info["build_id"])}</code>' if info.get("build_id") else ""
    )
    nav = "".join(
        f'<a href="#{anchor}">{esc(name)}</a>'
        for anchor, name in (
            ("cohorts", "Cohort retention"),
            ("rfm", "RFM segments"),
            ("pyramid", "KOX pyramid"),
            ("koc", "KOC leaderboard"),
            ("kpis", "KPI board"),
            ("churn", "Churn risk"),
        )
    )
    return (
        f'<header><h1>{esc(TITLE)}</h1><form id="filters" method="get" action="/"></form>'
        f'<p class="build">As of <strong data-build="as_of_date">{esc(info["as_of_date"])}</strong>'
        f' &middot; built <strong data-build="built_at" title="{esc(info["built_at"])}">'
        f"{built:%Y-%m-%d %H:%M:%S} UTC</strong>{build_id} &middot; <code>{esc(info['warehouse'])}</code>{quality}</p>"
        f"<nav>{nav}</nav></header>"
    )


def render_dashboard(
    con: duckdb.DuckDBPyConnection, info: dict, selection: Selection, quality_report: bool = False
) -> str:
    sections = [
        _section(
            "cohorts",
            "Cohort retention",
            "Share of each cohort retained in each period since it started "
            "(<code>retention.rpt_cohort_retention</code>).",
            lambda: _cohort_view(con, selection),
        ),
        _section(
            "rfm",
            "RFM segments",
            "Members and net-amount share per segment (<code>customer_value.rpt_rfm_segments</code>).",
            lambda: _rfm_view(con),
        ),
        _section(
            "pyramid",
            "KOX loyalty pyramid",
            "Buyers per tier, advocates on top, and the share of net "
            "amount each tier holds (<code>customer_value.rpt_loyalty_pyramid</code>).",
            lambda: _pyramid_view(con),
        ),
        _section(
            "koc",
            "KOC leaderboard",
            "The period's top KOCs by koc_score, 100 x the weighted percent ranks "
            "of posts, interactions and exposure (<code>koc.rpt_koc_leaderboard</code>).",
            lambda: _koc_view(con, selection),
        ),
        _section(
            "kpis",
            "Private-domain KPI board",
            "Each KPI of the month beside the benchmark band the source "
            "documents quote; outside a band is information, not an error "
            "(<code>retention.rpt_private_domain_kpis</code>).",
            lambda: _kpi_view(con, selection),
        ),
        _section(
            "churn",
            "Churn-risk distribution",
            f"Buyers per {data.CHURN_BIN_WIDTH}-point bin of churn_risk_score (<code>lifecycle.fct_churn_risk</code>).",
            lambda: _churn_view(con),
        ),
    ]
    footer = (
        "<footer>Read-only; every page load opens the build the warehouse's pointer names at that "
        "moment, so a new build shows on the next reload.</footer>"
    )
    return _document(TITLE, _header(info, quality_report) + "<main>" + "".join(sections) + "</main>" + footer)


def render_message(title: str, message: str) -> str:
    """A page that only says what is wrong and what to do (no warehouse, bad selector, error)."""
    return _document(
        f"{title} - {TITLE}",
        f'<header><h1>{esc(TITLE)}</h1></header><main><p class="error" role="alert">{esc(message)}</p></main>',
    )
