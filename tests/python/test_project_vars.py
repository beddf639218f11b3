"""--vars are checked before anything runs: unknown names get a suggestion, values of the wrong kind
name the var and say what to give (no dbt run needed)."""

from __future__ import annotations

import pytest

from loyalty_warehouse import project_vars
from loyalty_warehouse.project_vars import VarsError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"dq_earliest_valid_date": "not a date"}',
            "var dq_earliest_valid_date is 'not a date'; give a date as YYYY-MM-DD",
        ),
        ('{"as_of_date": "2024-13-01"}', "var as_of_date is '2024-13-01'; give a date as YYYY-MM-DD"),
        ('{"member_window_days": "365"}', "var member_window_days is '365'; give a number (the default is 365)"),
        ('{"member_window_days": true}', "var member_window_days is True; give a number"),
        ('{"clv_enabled": "yes"}', "var clv_enabled is 'yes'; give true or false"),
        ('{"member_windw_days": 180}', "unknown var 'member_windw_days': did you mean 'member_window_days'?"),
        ("[1, 2]", "--vars must be a JSON object"),
        ('{"member_window_days": 180', "--vars is not valid JSON"),
    ],
)
def test_wrong_vars_are_refused_with_what_to_give(text: str, message: str) -> None:
    with pytest.raises(VarsError) as failure:
        project_vars.parse(text)
    assert message in str(failure.value)


def test_right_vars_pass_unchanged() -> None:
    assert project_vars.parse('{"as_of_date": "2024-06-30"}') == {"as_of_date": "2024-06-30"}
    good = {"member_window_days": 180, "dq_max_points_per_event": 5000.5, "clv_enabled": False, "as_of_date": None}
    project_vars.check_values(good)
    assert project_vars.effective(good)["member_window_days"] == 180
