"""KOC programme marts against the generator's ground truth, weights, and empty optional inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from loyalty_warehouse.preflight import check_raw_dir
from loyalty_warehouse.runner import BuildError, run_dbt

pytestmark = pytest.mark.e2e

KOC_SELECT = "path:models/intermediate/koc path:models/marts/koc"


def _truth(built_warehouse: Path, small_raw: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    con.execute(f"create temp view truth as select * from '{(small_raw / 'ground_truth.parquet').as_posix()}'")
    return con


def test_planted_kocs_are_candidates_or_kocs(built_warehouse: Path, small_raw: Path) -> None:
    con = _truth(built_warehouse, small_raw)
    planted, found, in_programme, candidates, false_kocs, criteria, activity, loyalty, content = con.execute(
        """
        select
            count(*) filter (where t.is_koc),
            count(*) filter (where t.is_koc and (c.is_koc_candidate or c.is_in_programme)),
            count(*) filter (where t.is_koc and c.is_in_programme),
            count(*) filter (where t.is_koc and c.is_koc_candidate),
            count(*) filter (where not t.is_koc and c.is_in_programme),
            count(*) filter (where t.is_koc and c.crit_activity and c.crit_loyalty and c.crit_content),
            count(*) filter (where t.is_koc and c.crit_activity),
            count(*) filter (where t.is_koc and c.crit_loyalty),
            count(*) filter (where t.is_koc and c.crit_content)
        from truth as t
        inner join koc.fct_koc_candidates as c using (member_id)
        """
    ).fetchone()
    recall = found / planted
    print(
        f"planted KOCs {planted}: found {found} (recall {recall:.3f}; {in_programme} in the programme, "
        f"{candidates} candidates); non-planted members in the programme: {false_kocs}; "
        f"meeting the three criteria as of the as-of date: {criteria} (activity {activity}, loyalty {loyalty}, "
        f"content {content})"
    )
    assert planted > 20
    assert recall >= 0.8


def test_planted_dormant_kocs_are_flagged_dormant(built_warehouse: Path, small_raw: Path) -> None:
    """Recall over every planted dormant KOC (the generator plants them in good standing: they kept
    the feedback rules, so none was blacklisted before fading), and when the decline was caught."""
    con = _truth(built_warehouse, small_raw)
    planted, flagged, blacklisted, median_lag = con.execute(
        """
        with planted as (
            select member_id, behaviour_change_at
            from truth
            where is_dormant_koc
        ),
        flagged as (
            select koc_member_id as member_id, min(period_start) as first_dormant_period
            from koc.fct_koc_level_events
            where event_type = 'went_dormant'
            group by koc_member_id
        ),
        blacklisted as (
            select distinct koc_member_id as member_id
            from koc.fct_koc_level_events
            where event_type = 'blacklisted'
        )
        select
            count(*),
            count(flagged.member_id),
            count(blacklisted.member_id),
            median(date_diff('month', date_trunc('month', planted.behaviour_change_at), flagged.first_dormant_period))
        from planted
        left join flagged using (member_id)
        left join blacklisted using (member_id)
        """
    ).fetchone()
    recall = flagged / planted
    print(
        f"planted dormant KOCs {planted}: {flagged} flagged dormant (recall {recall:.3f}), median "
        f"{median_lag} months after the behaviour change; blacklisted: {blacklisted}"
    )
    assert planted >= 15
    assert blacklisted == 0, "the generator plants dormant KOCs in good standing"
    assert recall >= 0.8


def test_posting_only_decline_is_never_dormant(built_warehouse: Path, small_raw: Path) -> None:
    """Once their posting falls away (the planted behaviour change) these KOCs are never judged dormant.

    Before the change they behave like steady KOCs, and a low-activity KOC can, by chance, fall on
    most metrics at once; such flags are printed, for them and for the steady KOCs, as the rule's
    noise floor, but only a flag after the change would be the posting decline making a KOC dormant.
    """
    con = _truth(built_warehouse, small_raw)
    planted, judged, flagged_after, flagged_before, steady_flagged, steady = con.execute(
        """
        with dormant_events as (
            select koc_member_id as member_id, period_start
            from koc.fct_koc_level_events
            where event_type = 'went_dormant'
        ),
        changed as (
            select member_id, date_trunc('month', behaviour_change_at) as change_period, koc_behaviour
            from truth
            where koc_behaviour in ('posting_only_decline', 'steady')
        ),
        judged_after as (
            select distinct changed.member_id
            from changed
            inner join koc.fct_koc_dormancy as dormancy
                on dormancy.koc_member_id = changed.member_id
                and dormancy.period_start >= changed.change_period
            where dormancy.dormancy_state != 'not_evaluated' and dormancy.has_full_baseline
        ),
        flags as (
            select
                changed.member_id,
                bool_or(dormant_events.period_start >= changed.change_period) as after_change,
                bool_or(dormant_events.period_start < changed.change_period) as before_change
            from changed
            inner join dormant_events using (member_id)
            group by changed.member_id
        )
        select
            count(*) filter (where c.koc_behaviour = 'posting_only_decline'),
            count(j.member_id) filter (where c.koc_behaviour = 'posting_only_decline'),
            count(*) filter (where c.koc_behaviour = 'posting_only_decline' and f.after_change),
            count(*) filter (where c.koc_behaviour = 'posting_only_decline' and f.before_change),
            count(f.member_id) filter (where c.koc_behaviour = 'steady'),
            count(*) filter (where c.koc_behaviour = 'steady')
        from changed as c
        left join judged_after as j using (member_id)
        left join flags as f using (member_id)
        """
    ).fetchone()
    print(
        f"posting-only decliners {planted} ({judged} judged after the change with a full baseline): "
        f"{flagged_after} flagged dormant after the change ({flagged_before} by chance before it); "
        f"steady KOCs flagged dormant: {steady_flagged} of {steady}"
    )
    assert planted > 0 and judged > 0
    assert flagged_after == 0


def _copy_and_build(
    built: Path, raw: Path, tmp: Path, dbt_vars: dict, select: str, lines: list[str] | None = None
) -> Path:
    warehouse = tmp / "copy.duckdb"
    if not warehouse.exists():
        shutil.copy(built, warehouse)
    locations = check_raw_dir(raw, tmp / "placeholders").locations
    run_dbt(
        # cautious: only the tests whose every parent is rebuilt here (a test across areas, e.g. that
        # member tags equal the KOC marts, would compare rebuilt KOC marts with the copy's old tags)
        ["build", "--select", *select.split(), "--indirect-selection", "cautious"],
        warehouse,
        {"raw_locations": locations, **dbt_vars},
        target_path=tmp / "target",
        progress=(lines.append if lines is not None else print),  # dbt output shows on failure
    )
    return warehouse


def test_posts_only_weights_make_score_the_posts_rank(built_warehouse: Path, small_raw: Path, tmp_path: Path) -> None:
    weights = {"posts": 1, "interactions": 0, "exposure": 0}
    warehouse = _copy_and_build(
        built_warehouse, small_raw, tmp_path, {"koc_leaderboard_weights": weights}, "rpt_koc_leaderboard"
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    rows, differing = con.execute(
        "select count(*), count(*) filter (where abs(koc_score - 100 * posts_percent_rank) > 0.01)"
        " from koc.rpt_koc_leaderboard"
    ).fetchone()
    assert rows > 0 and differing == 0


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"posts": 0.5, "interactions": 0.5, "exposure": 0.5}, "weights sum to 1.5"),
        ({"posts": 1.2, "interactions": -0.2, "exposure": 0}, "weight 'interactions' is -0.2"),
        ({"posts": 1.0}, "missing: interactions, exposure"),
    ],
)
def test_unusable_leaderboard_weights_stop_the_build(
    built_warehouse: Path, small_raw: Path, tmp_path: Path, weights: dict, message: str
) -> None:
    lines: list[str] = []
    with pytest.raises(BuildError):
        _copy_and_build(
            built_warehouse, small_raw, tmp_path, {"koc_leaderboard_weights": weights}, "rpt_koc_leaderboard", lines
        )
    output = "\n".join(lines)
    assert "var 'koc_leaderboard_weights'" in output and message in output, output[-2000:]


def test_koc_marts_build_on_empty_optional_tables(built_warehouse: Path, small_raw: Path, tmp_path: Path) -> None:
    """Without campaigns, post metrics and participations every KOC model and test still builds."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("raw_members", "raw_orders", "raw_interactions"):
        shutil.copy(small_raw / f"{name}.parquet", raw / f"{name}.parquet")
    select = (
        "+stg_raw__koc_participations +stg_raw__campaigns +stg_raw__ugc_post_metrics "
        f"int_ugc_posts_with_latest_metrics {KOC_SELECT}"
    )
    warehouse = _copy_and_build(built_warehouse, raw, tmp_path, {}, select)
    con = duckdb.connect(str(warehouse), read_only=True)
    roster, events, candidates = con.execute(
        "select (select count(*) from koc.fct_koc_roster_monthly), (select count(*) from koc.fct_koc_level_events),"
        " (select count(*) from koc.fct_koc_candidates)"
    ).fetchone()
    print(f"empty optional tables: roster {roster}, events {events}, candidate rows {candidates}")
    assert roster == 0 and events == 0 and candidates > 0
