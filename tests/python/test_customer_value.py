"""Customer value marts against the ground truth, and how vars change them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

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
