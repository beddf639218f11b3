"""Customer value marts against the ground truth, and how vars change them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from loyalty_warehouse import project_vars
from loyalty_warehouse.preflight import check_raw_dir
from loyalty_warehouse.runner import BuildError, run_dbt

pytestmark = pytest.mark.e2e


def test_planted_super_users_are_recovered(built_warehouse: Path, small_raw: Path) -> None:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    con.execute(f"create temp view truth as select * from '{(small_raw / 'ground_truth.parquet').as_posix()}'")
    flagged, planted, both = con.execute(
        """
        select
            count(*) filter (where s.is_super_user),
            count(*) filter (where t.is_super_user),
            count(*) filter (where s.is_super_user and t.is_super_user)
        from truth as t
        left join customer_value.fct_super_user_scores as s using (member_id)
        """
    ).fetchone()
    precision, recall = both / flagged, both / planted
    print(f"super users: flagged {flagged}, planted {planted}, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.8 and recall >= 0.8


def test_top_twenty_percent_hold_most_of_the_value(built_warehouse: Path) -> None:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    share, super_share = con.execute(
        "select top_share_of_net_amount, super_user_share from customer_value.rpt_pareto_value"
    ).fetchone()
    print(f"top 20 % of buyers hold {share:.1%} of net amount; super users are {super_share:.1%} of eligible members")
    assert share > 0.5


def test_range_ranks_equal_whole_table_windows(built_warehouse: Path) -> None:
    """The super-user scores rank by value ranges (macros/bucketed_rank.sql, D92); recomputed here
    with DuckDB's own whole-table windows over fct_members, every score, rank, percentile and
    four-highs flag is the same."""
    defaults = project_vars.defaults()
    high = defaults["four_highs_percentile"]
    con = duckdb.connect(str(built_warehouse), read_only=True)
    con.execute(
        f"""
        create temp table expected as
        with scores as (
            select s.*, m.purchases_in_window
            from customer_value.fct_super_user_scores as s
            inner join member_facts.fct_members as m using (member_id)
        ),
        windowed as (
            select
                member_id,
                round(100 * percent_rank() over (order by consumption_raw), 2) as consumption_score,
                round(100 * percent_rank() over (order by interaction_raw), 2) as interaction_score,
                round(100 * percent_rank() over (order by content_raw), 2) as content_score,
                round(100 * percent_rank() over (order by social_raw), 2) as social_score,
                row_number() over (order by value_score desc, consumption_raw desc, member_id) as value_rank,
                percent_rank() over (order by value_score) as value_percentile,
                purchases_in_window > 0 and percent_rank() over (order by conversion_rate) >= {high}
                    as is_high_conversion,
                repurchase_count >= 1 and percent_rank() over (
                    partition by purchases_in_window > 0 order by repurchase_count) >= {high} as is_high_repurchase,
                share_count >= 1 and percent_rank() over (order by share_count) >= {high} as is_high_sharing,
                converted_referrals >= 1 and percent_rank() over (
                    partition by converted_referrals > 0 order by converted_referrals) >= {high} as is_high_referral
            from scores
        )
        select * from windowed
        """
    )
    columns = [
        "consumption_score",
        "interaction_score",
        "content_score",
        "social_score",
        "value_rank",
        "value_percentile",
        "is_high_conversion",
        "is_high_repurchase",
        "is_high_sharing",
        "is_high_referral",
    ]
    members, ranked_over_ranges = con.execute(
        "select count(*), count(distinct value_rank) from customer_value.fct_super_user_scores"
    ).fetchone()
    assert members > 1000 and ranked_over_ranges == members
    differing = {
        column: con.execute(
            f"""
            select count(*) from customer_value.fct_super_user_scores as s
            inner join expected as e using (member_id)
            where s.{column} is distinct from e.{column}
            """
        ).fetchone()[0]
        for column in columns
    }
    assert differing == dict.fromkeys(columns, 0)


def _rebuild(built: Path, raw: Path, tmp: Path, dbt_vars: dict, select: str, lines: list[str] | None = None) -> Path:
    warehouse = tmp / "copy.duckdb"
    if not warehouse.exists():
        shutil.copy(built, warehouse)
    locations = check_raw_dir(raw, tmp / "placeholders").locations
    run_dbt(
        # cautious: only the tests whose every parent is rebuilt here (a test across areas, e.g. that
        # member tags equal the value bands, would compare a rebuilt mart with the copy's old tags)
        ["build", "--select", select, "--indirect-selection", "cautious"],
        warehouse,
        {"raw_locations": locations, **dbt_vars},
        target_path=tmp / "target",
        progress=(lines.append if lines is not None else print),  # dbt output shows on failure
    )
    return warehouse


def test_consumption_only_weights_make_value_equal_consumption(
    built_warehouse: Path, small_raw: Path, tmp_path: Path
) -> None:
    weights = {"consumption": 1, "interaction": 0, "content": 0, "social": 0}
    warehouse = _rebuild(built_warehouse, small_raw, tmp_path, {"super_user_weights": weights}, "fct_super_user_scores")
    con = duckdb.connect(str(warehouse), read_only=True)
    assert (
        con.execute(
            "select count(*) from customer_value.fct_super_user_scores where value_score != consumption_score"
        ).fetchone()[0]
        == 0
    )
    before = (
        duckdb.connect(str(built_warehouse), read_only=True)
        .execute("select count(*) from customer_value.fct_super_user_scores where value_score != consumption_score")
        .fetchone()[0]
    )
    assert before > 0, "with the default weights value and consumption differ"


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"consumption": 0.5, "interaction": 0.2, "content": 0.2, "social": 0.2}, "weights sum to 1.1"),
        ({"consumption": 1.2, "interaction": -0.2, "content": 0, "social": 0}, "weight 'interaction' is -0.2"),
        ({"consumption": 1.0}, "missing: interaction, content, social"),
    ],
)
def test_unusable_weights_stop_the_build_naming_the_var(
    built_warehouse: Path, small_raw: Path, tmp_path: Path, weights: dict, message: str
) -> None:
    lines: list[str] = []
    with pytest.raises(BuildError):
        _rebuild(built_warehouse, small_raw, tmp_path, {"super_user_weights": weights}, "fct_super_user_scores", lines)
    output = "\n".join(lines)
    assert "var 'super_user_weights'" in output and message in output, output[-2000:]
