"""Server-side SVG charts, written for this project (no chart library).

Every drawn data element has the class ``mark`` and carries its unrounded value in ``data-value``
(plus the keys that identify it, e.g. ``data-cohort``/``data-period``) and a ``<title>`` tooltip,
so a person can hover for the number and a test can read every number back and compare it with
the mart. Colours come from the stylesheet (classes) except the heatmap's computed shades.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from .formatting import cny, esc, integer, kpi_band, kpi_value, pct, period_label, raw

FONT_PX = 12
# Light and dark ends of the heatmap's single-hue scale (RGB).
HEAT_LIGHT = (239, 246, 255)
HEAT_DARK = (8, 69, 148)


def _attrs(attributes: dict[str, object]) -> str:
    return "".join(f' {name}="{esc(value)}"' for name, value in attributes.items() if value is not None)


def _svg(chart: str, width: float, height: float, label: str, body: Iterable[str]) -> str:
    return (
        f'<svg class="chart" data-chart="{esc(chart)}" role="img" aria-label="{esc(label)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(body) + "</svg>"
    )


def _text(at_x: float, at_y: float, content: str, css_class: str = "label", anchor: str = "start") -> str:
    return f'<text class="{css_class}" x="{at_x:.1f}" y="{at_y:.1f}" text-anchor="{anchor}">{esc(content)}</text>'


def _mark(shape: str, geometry: dict[str, object], data: dict[str, object], title: str, css_class: str) -> str:
    data_attrs = {f"data-{key}": raw(value) for key, value in data.items()}
    return (
        f'<{shape} class="mark {css_class}"{_attrs(geometry)}{_attrs(data_attrs)}><title>{esc(title)}</title></{shape}>'
    )


def _share(value: Decimal | float | None) -> float:
    return 0.0 if value is None else max(0.0, float(value))


def empty_chart(chart: str, message: str) -> str:
    return f'<p class="empty" data-chart-empty="{esc(chart)}">{esc(message)}</p>'


# --- cohort retention heatmap -------------------------------------------------------------------


def _heat_colour(intensity: float) -> str:
    intensity = min(max(intensity, 0.0), 1.0)
    channels = [round(light + (dark - light) * intensity) for light, dark in zip(HEAT_LIGHT, HEAT_DARK, strict=False)]
    return "#{:02x}{:02x}{:02x}".format(*channels)


def cohort_heatmap(cells: list[dict], basis: str) -> str:
    """Cohort x period grid of retention_rate. Periods still running are hatched, with no rate."""
    if not cells:
        return empty_chart("cohort-heatmap", "No cohorts for this definition and basis.")
    grain = cells[0]["cohort_grain"]
    cohorts = sorted({c["cohort_start_date"] for c in cells})
    periods = max(c["period_number"] for c in cells) + 1
    cell_w, cell_h = (36, 22) if periods <= 30 else (14, 14)
    label_w, size_w, top = 78, 54, 34
    left = label_w + size_w
    # Period 0 is 100 % by construction for ordering; scale the shades by the later periods so they differ.
    later = [
        float(c["retention_rate"])
        for c in cells
        if c["is_complete_period"] and c["period_number"] > 0 and c["retention_rate"] is not None
    ]
    scale_max = max(later) if later else 1.0
    scale_max = scale_max or 1.0
    row_of = {cohort: index for index, cohort in enumerate(cohorts)}
    body = [
        '<defs><pattern id="hatch-incomplete" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>',
        _text(0, top - 8, "cohort", "axis-title"),
        _text(label_w + size_w - 6, top - 8, "size", "axis-title", "end"),
        _text(left, 12, f"{grain}s since the cohort {grain} ->", "axis-title"),
    ]
    body += [_text(left + i * cell_w + cell_w / 2, top - 8, str(i), "tick", "middle") for i in range(periods)]
    sizes_done: set[dt.date] = set()
    for cell in cells:
        row = row_of[cell["cohort_start_date"]]
        cell_x, cell_y = left + cell["period_number"] * cell_w, top + row * cell_h
        cohort_name = period_label(cell["cohort_start_date"], grain)
        if cell["cohort_start_date"] not in sizes_done:
            sizes_done.add(cell["cohort_start_date"])
            body.append(_text(0, cell_y + cell_h * 0.7, cohort_name, "tick"))
            body.append(_text(left - 6, cell_y + cell_h * 0.7, f"{cell['cohort_size']:,}", "tick", "end"))
        data = {
            "cohort": cell["cohort_start_date"],
            "period": cell["period_number"],
            "value": cell["retention_rate"],
            "retained": cell["retained_members"],
            "retained-to-date": cell["retained_members_to_date"],
            "cohort-size": cell["cohort_size"],
            "complete": "true" if cell["is_complete_period"] else "false",
        }
        geometry = {"x": f"{cell_x + 1:.1f}", "y": f"{cell_y + 1:.1f}", "width": cell_w - 2, "height": cell_h - 2}
        if cell["is_complete_period"]:
            rate = float(cell["retention_rate"])
            intensity = rate / scale_max
            title = (
                f"{cohort_name} cohort, {grain} {cell['period_number']}: {pct(rate)} retained "
                f"({cell['retained_members']:,} of {cell['cohort_size']:,}, basis {basis})"
            )
            body.append(_mark("rect", geometry | {"fill": _heat_colour(intensity)}, data, title, "cell complete"))
            if cell_w >= 30:
                text_class = "cell-text dark" if intensity > 0.55 else "cell-text"
                body.append(
                    _text(cell_x + cell_w / 2, cell_y + cell_h * 0.68, f"{rate * 100:.0f}", text_class, "middle")
                )
        else:
            title = (
                f"{cohort_name} cohort, {grain} {cell['period_number']}: still running on the as-of date, "
                f"no rate yet ({cell['retained_members_to_date']:,} of {cell['cohort_size']:,} retained so far)"
            )
            body.append(_mark("rect", geometry | {"fill": "url(#hatch-incomplete)"}, data, title, "cell incomplete"))
    legend_y = top + len(cohorts) * cell_h + 16
    body += _heatmap_legend(left, legend_y, scale_max)
    width = left + periods * cell_w + 10
    return _svg(
        "cohort-heatmap", max(width, left + 470), legend_y + 26, f"Cohort retention heatmap, basis {basis}", body
    )


def _heatmap_legend(left: float, legend_y: float, scale_max: float) -> list[str]:
    parts = [_text(left, legend_y + 11, "retention:", "tick")]
    steps = 5
    for i in range(steps + 1):
        share = scale_max * i / steps
        parts.append(
            f'<rect class="legend-swatch" x="{left + 62 + i * 34}" y="{legend_y}" width="32" height="14" '
            f'fill="{_heat_colour(i / steps)}"/>'
        )
        parts.append(_text(left + 78 + i * 34, legend_y + 26, f"{share * 100:.0f}%", "tick small", "middle"))
    hatch_x = left + 62 + (steps + 1) * 34 + 16
    parts.append(
        f'<rect class="legend-swatch" x="{hatch_x}" y="{legend_y}" width="32" height="14" '
        'fill="url(#hatch-incomplete)"/>'
    )
    parts.append(_text(hatch_x + 38, legend_y + 11, "period still running (no rate yet)", "tick"))
    return parts


# --- horizontal bars ------------------------------------------------------------------------------


def rfm_segment_bars(segments: list[dict]) -> str:
    """Per RFM segment: share of members and share of net amount, side by side."""
    if not segments:
        return empty_chart("rfm-segments", "No RFM segments in this warehouse.")
    label_w, bar_w, row_h, top = 190, 420, 40, 26
    body = [
        f'<rect class="key members" x="{label_w}" y="4" width="12" height="12"/>',
        _text(label_w + 16, 14, "share of members", "tick"),
        f'<rect class="key value" x="{label_w + 150}" y="4" width="12" height="12"/>',
        _text(label_w + 166, 14, "share of net amount", "tick"),
    ]
    for row_index, segment in enumerate(segments):
        row_y = top + row_index * row_h
        body.append(_text(0, row_y + 14, segment["rfm_segment"], "label"))
        body.append(_text(0, row_y + 29, segment["segment_label_zh"] or "", "tick"))
        bars = [
            ("member_share", "members", f"{segment['members']:,} members ({pct(segment['member_share'])})"),
            ("net_amount_share", "value", f"{cny(segment['net_amount'])} ({pct(segment['net_amount_share'])})"),
        ]
        for bar_index, (measure, css_class, caption) in enumerate(bars):
            share = _share(segment[measure])
            bar_y = row_y + 2 + bar_index * 16
            data = {
                "segment": segment["rfm_segment"],
                "measure": measure,
                "value": segment[measure],
                "members": segment["members"],
                "net-amount": segment["net_amount"],
            }
            geometry = {"x": label_w, "y": bar_y, "width": f"{max(share * bar_w, 0.5):.1f}", "height": 14}
            body.append(_mark("rect", geometry, data, f"{segment['rfm_segment']}: {caption}", css_class))
            body.append(_text(label_w + share * bar_w + 5, bar_y + 11, caption, "tick"))
    return _svg(
        "rfm-segments",
        label_w + bar_w + 240,
        top + len(segments) * row_h + 4,
        "RFM segments: members and net amount shares",
        body,
    )


def loyalty_pyramid(tiers: list[dict]) -> str:
    """KOX tiers stacked with the top tier (advocate) on top; bar width = share of buyers."""
    if not tiers:
        return empty_chart("loyalty-pyramid", "No KOX tiers in this warehouse.")
    full_w, row_h, gap, label_w = 420, 46, 4, 300
    centre = full_w / 2
    widest = max(_share(t["member_share"]) for t in tiers) or 1.0
    body = []
    for row_index, tier in enumerate(tiers):
        # The largest tier spans the full width; the others in proportion to their share of buyers.
        width = max(_share(tier["member_share"]) / widest * full_w, 2.0)
        row_y = row_index * (row_h + gap)
        title = (
            f"{tier['kox_tier']}: {tier['members']:,} members ({pct(tier['member_share'])} of buyers), "
            f"{pct(tier['net_amount_share'])} of net amount in the member window"
        )
        data = {
            "tier": tier["kox_tier"],
            "value": tier["members"],
            "member-share": tier["member_share"],
            "net-amount-share": tier["net_amount_share"],
            "tier-order": tier["tier_order"],
        }
        geometry = {"x": f"{centre - width / 2:.1f}", "y": row_y, "width": f"{width:.1f}", "height": row_h}
        body.append(_mark("rect", geometry, data, title, f"tier tier-{tier['tier_order']}"))
        body.append(_text(centre, row_y + row_h / 2 + 4, tier["kox_tier"], "tier-name", "middle"))
        body.append(
            _text(
                full_w + 16, row_y + 18, f"{tier['members']:,} members ({pct(tier['member_share'])} of buyers)", "label"
            )
        )
        body.append(
            _text(full_w + 16, row_y + 35, f"{pct(tier['net_amount_share'])} of net amount (member window)", "tick")
        )
    return _svg("loyalty-pyramid", full_w + 16 + label_w, len(tiers) * (row_h + gap), "KOX loyalty pyramid", body)


def koc_leaderboard_bars(rows: list[dict]) -> str:
    """The period's top KOCs by koc_score (0-100)."""
    if not rows:
        return empty_chart("koc-leaderboard", "No ranked KOCs in this period.")
    label_w, bar_w, row_h = 210, 360, 20
    body = []
    for row_index, row in enumerate(rows):
        row_y = row_index * row_h
        score = float(row["koc_score"])
        body.append(_text(0, row_y + 14, f"#{row['koc_rank']} {row['koc_member_id']}", "label"))
        body.append(_text(label_w - 8, row_y + 14, row["koc_level"], "tick", "end"))
        title = (
            f"#{row['koc_rank']} {row['koc_member_id']} ({row['koc_level']}, {row['koc_status']}): score "
            f"{row['koc_score']}, {row['posts']} posts, {row['interactions_received']:,} interactions, "
            f"{row['public_exposure']:,} exposure"
        )
        data = {
            "member": row["koc_member_id"],
            "rank": row["koc_rank"],
            "value": row["koc_score"],
            "posts": row["posts"],
            "interactions": row["interactions_received"],
            "exposure": row["public_exposure"],
        }
        geometry = {"x": label_w, "y": row_y + 3, "width": f"{max(score / 100 * bar_w, 0.5):.1f}", "height": row_h - 6}
        body.append(_mark("rect", geometry, data, title, f"koc status-{row['koc_status']}"))
        body.append(_text(label_w + score / 100 * bar_w + 5, row_y + 14, f"{row['koc_score']}", "tick"))
    return _svg("koc-leaderboard", label_w + bar_w + 60, len(rows) * row_h + 4, "KOC leaderboard", body)


# --- KPI bullets -----------------------------------------------------------------------------------


def kpi_bullets(kpis: list[dict]) -> str:
    """Each benchmarked KPI as a bullet: the band shaded, the value as a marker coloured by status."""
    banded = [k for k in kpis if k["benchmark_low"] is not None or k["benchmark_high"] is not None]
    if not banded:
        return empty_chart("kpi-board", "No KPI with a benchmark band this month.")
    label_w, scale_w, row_h = 230, 380, 34
    body = []
    for row_index, kpi in enumerate(banded):
        row_y = row_index * row_h
        known = [float(v) for v in (kpi["kpi_value"], kpi["benchmark_low"], kpi["benchmark_high"]) if v is not None]
        # Each KPI has its own scale: 0 to a quarter beyond the largest of value and band ends.
        scale_top = max(known) * 1.25 if max(known) > 0 else 1.0

        def x_of(value: float, scale_top: float = scale_top) -> float:
            return label_w + min(max(value, 0.0), scale_top) / scale_top * scale_w

        low = float(kpi["benchmark_low"]) if kpi["benchmark_low"] is not None else 0.0
        high = float(kpi["benchmark_high"]) if kpi["benchmark_high"] is not None else scale_top
        body.append(_text(0, row_y + 15, kpi["kpi"], "label"))
        body.append(
            _text(0, row_y + 29, f"band {kpi_band(kpi['kpi'], kpi['benchmark_low'], kpi['benchmark_high'])}", "tick")
        )
        body.append(f'<rect class="scale" x="{label_w}" y="{row_y + 8}" width="{scale_w}" height="14"/>')
        body.append(
            f'<rect class="band" x="{x_of(low):.1f}" y="{row_y + 8}" width="{x_of(high) - x_of(low):.1f}" height="14"/>'
        )
        status = kpi["benchmark_status"]
        if kpi["kpi_value"] is None:
            body.append(_text(label_w + 6, row_y + 19, "no value this month", "tick"))
            continue
        value = float(kpi["kpi_value"])
        title = (
            f"{kpi['kpi']}: {kpi_value(kpi['kpi'], kpi['kpi_value'])} ({status} the band "
            f"{kpi_band(kpi['kpi'], kpi['benchmark_low'], kpi['benchmark_high'])})"
        )
        data = {
            "kpi": kpi["kpi"],
            "value": kpi["kpi_value"],
            "status": status,
            "benchmark-low": kpi["benchmark_low"],
            "benchmark-high": kpi["benchmark_high"],
        }
        geometry = {"x": f"{x_of(value) - 3:.1f}", "y": row_y + 3, "width": 6, "height": 24}
        body.append(_mark("rect", geometry, data, title, f"kpi-value status-{status}"))
        body.append(
            _text(
                label_w + scale_w + 8,
                row_y + 19,
                f"{kpi_value(kpi['kpi'], kpi['kpi_value'])} ({status})",
                f"tick status-text-{status}",
            )
        )
    return _svg("kpi-board", label_w + scale_w + 170, len(banded) * row_h + 4, "KPIs against benchmark bands", body)


# --- churn-risk histogram ---------------------------------------------------------------------------


def churn_histogram(bins: list[dict]) -> str:
    """Members per churn-risk score bin (columns), with a count axis."""
    if not any(b["members"] for b in bins):
        return empty_chart("churn-risk", "No scored members.")
    left, plot_w, plot_h, top = 50, 560, 200, 12
    peak = max(b["members"] for b in bins)
    column_w = plot_w / len(bins)
    body = []
    for tick in range(5):
        value = peak * tick / 4
        line_y = top + plot_h - value / peak * plot_h
        body.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{line_y:.1f}" y2="{line_y:.1f}"/>')
        body.append(_text(left - 6, line_y + 4, f"{value:,.0f}", "tick", "end"))
    for index, bin_ in enumerate(bins):
        height = bin_["members"] / peak * plot_h
        column_x = left + index * column_w
        upper = "]" if index == len(bins) - 1 else ")"
        title = f"score [{bin_['bin_low']}, {bin_['bin_high']}{upper}: {integer(bin_['members'])} members"
        data = {"value": bin_["members"], "bin-low": bin_["bin_low"], "bin-high": bin_["bin_high"]}
        geometry = {
            "x": f"{column_x + 2:.1f}",
            "y": f"{top + plot_h - height:.1f}",
            "width": f"{column_w - 4:.1f}",
            "height": f"{height:.1f}",
        }
        body.append(_mark("rect", geometry, data, title, "churn-bin"))
        body.append(
            _text(column_x + column_w / 2, top + plot_h - height - 4, integer(bin_["members"]), "tick small", "middle")
        )
        body.append(_text(column_x, top + plot_h + 16, str(bin_["bin_low"]), "tick", "middle"))
    body.append(_text(left + plot_w, top + plot_h + 16, str(bins[-1]["bin_high"]), "tick", "middle"))
    body.append(
        _text(
            left + plot_w / 2,
            top + plot_h + 34,
            "churn-risk score (0 = just active, 100 = long gone)",
            "axis-title",
            "middle",
        )
    )
    return _svg("churn-risk", left + plot_w + 20, top + plot_h + 42, "Churn-risk score distribution", body)
