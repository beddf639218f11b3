"""The offline quality report: every gate expectation readable with no network, in headless Chromium.

great-expectations' own Data Docs load bootstrap, jQuery and vega from CDNs, so offline they are
blank; the project's report (quality_report.html beside them) is one self-contained file. Checked
here: the test build's report lists every expectation of both gates as passed, a failed expectation
shows as FAIL with its observed value, the page opens from disk with the browser offline and makes
no request but the file itself, and failures are named by the result's own expectation (GE returns
results grouped by column, not in the order they were added).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from browser_session import chromium, session
from loyalty_warehouse.gates import Check, mart_checks, raw_checks, validate_frames
from loyalty_warehouse.quality_report import REPORT_NAME
from loyalty_warehouse.runner import data_docs_path

ROWS = 200
BAD_ROWS = 10


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


def _open_offline(tab, report: Path) -> None:
    """Open the report from disk in a session whose network is off."""
    assert report.is_file(), f"no report at {report}"
    tab.page.goto(report.as_uri())


def _rows(page) -> list[dict]:
    return page.eval_on_selector_all(
        "tr[data-success]", "rows => rows.map(r => Object.assign({}, r.dataset, {text: r.innerText}))"
    )


@pytest.mark.e2e
@pytest.mark.browser
def test_build_report_lists_every_expectation_and_reads_offline(built_warehouse: Path, browser) -> None:
    report = data_docs_path(built_warehouse) / REPORT_NAME
    with session(browser, offline=True) as tab:
        _open_offline(tab, report)
        rows = _rows(tab.page)
        expected = {("raw", c.table, c.column or "") for c in raw_checks()}
        expected |= {("marts", c.table, c.column or "") for c in mart_checks()}
        assert len(rows) == len(raw_checks()) + len(mart_checks())
        assert {(r["suite"], r["table"], r["column"]) for r in rows} == expected
        assert all(r["success"] == "true" for r in rows)
        assert tab.page.get_by_text("every gate passed").is_visible()
        assert tab.page.locator("h2").all_inner_texts() == ["raw gate: passed", "marts gate: passed"]
        # Content really laid out and visible (not a blank page waiting for a CDN).
        assert tab.page.locator("table").first.bounding_box()["height"] > 100
        tab.screenshot("quality_report.png")
        tab.assert_clean()


@pytest.mark.browser
def test_failed_expectation_shows_fail_with_its_observed_value(tmp_path: Path, browser) -> None:
    check = Check("raw_orders", "ExpectColumnValuesToNotBeNull", "member_id", {"mostly": 0.99})
    frame = pd.DataFrame({"member_id": ["M1"] * (ROWS - BAD_ROWS) + [None] * BAD_ROWS})
    result = validate_frames("raw", [check], {"raw_orders": frame}, tmp_path)
    assert not result.success
    with session(browser, offline=True) as tab:
        _open_offline(tab, tmp_path / REPORT_NAME)
        rows = _rows(tab.page)
        assert len(rows) == 1 and rows[0]["success"] == "false"
        assert f"{BAD_ROWS} of {ROWS} rows unexpected (5 %)" in rows[0]["text"]
        assert rows[0]["text"].rstrip().endswith("FAIL")
        assert tab.page.get_by_text("Overall: FAILED (raw)").is_visible()
        tab.assert_clean()


def test_failures_are_named_by_the_result_not_its_position() -> None:
    checks = [
        Check("t", "ExpectColumnValuesToNotBeNull", "a", {"mostly": 0.99}),
        Check("t", "ExpectColumnMeanToBeBetween", "b", {"min_value": 0, "max_value": 5}),
        Check("t", "ExpectColumnValuesToBeInSet", "a", {"value_set": ["x"], "mostly": 0.99}),
    ]
    frame = pd.DataFrame(
        {"a": ["x"] * (ROWS - BAD_ROWS) + ["y"] * BAD_ROWS, "b": [0.5] * ROWS}
    )  # only the set check breaks
    result = validate_frames("s", checks, {"t": frame})
    assert [failure.split(" (observed")[0] for failure in result.failed] == ["t: ExpectColumnValuesToBeInSet(a)"]
    outcomes = {(o.expectation, o.column): o.success for o in result.outcomes}
    assert outcomes == {
        ("expect_column_values_to_not_be_null", "a"): True,
        ("expect_column_mean_to_be_between", "b"): True,
        ("expect_column_values_to_be_in_set", "a"): False,
    }


@pytest.mark.browser
def test_the_request_guard_sees_and_blocks_external_requests(browser) -> None:
    """A positive control for every "no request left localhost" assertion in the browser tests."""
    with session(browser) as tab:
        tab.page.set_content('<link rel="stylesheet" href="https://cdn.example.org/x.css"><p>hello</p>')
        tab.page.wait_for_timeout(300)
        assert any(url.startswith("https://cdn.example.org/") for url in tab.blocked)
        with pytest.raises(AssertionError, match="requests tried to leave localhost"):
            tab.assert_clean()
