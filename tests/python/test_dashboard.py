"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright.

The 3,000-member test warehouse is served by `loyalty dashboard` in a subprocess. Checked: every
chart draws one mark per row of its mart (marks counted, not just the page loaded), the numbers the
marks carry equal the marts' (queried here with SQL of the test's own), the browser console stays
clean and no request leaves 127.0.0.1, the cohort basis / definition, the KOC period and the KPI
month selectors change what is shown, and a build published over the same path (as of 2024-12-15,
so the open December periods are hatched) with the runner's publish is shown on reload without
restarting the server, its header naming the build the charts come from.
Screenshots go to target/screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pytest

from browser_session import SCREENSHOTS, chromium, session
from loyalty_warehouse.preflight import check_raw_dir
from loyalty_warehouse.runner import data_docs_path, publish, run_dbt

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHARTS = ["cohort-heatmap", "rfm-segments", "loyalty-pyramid", "koc-leaderboard", "kpi-board", "churn-risk"]
NEXT_AS_OF = "2024-12-15"
STARTUP_SECONDS = 60


# --- the server -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dashboard_command(warehouse: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "loyalty_warehouse.cli",
        "dashboard",
        "--warehouse",
        str(warehouse),
        "--port",
        str(port),
    ]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@contextmanager
def dashboard(warehouse: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`loyalty dashboard` on a free port; yields its base URL and process, stops it afterwards."""
    port = _free_port()
    with log.open("w") as stderr:
        process = subprocess.Popen(
            _dashboard_command(warehouse, port), stdout=subprocess.DEVNULL, stderr=stderr, stdin=subprocess.DEVNULL
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, f"dashboard exited early:\n{log.read_text()}"
            try:
                _get(base + "/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, (
                    f"dashboard did not answer in {STARTUP_SECONDS}s:\n{log.read_text()}"
                )
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def served(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A copy of the test warehouse (with its quality report), served; yields (base URL, warehouse)."""
    folder = tmp_path_factory.mktemp("served")
    warehouse = folder / "loyalty.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    shutil.copytree(data_docs_path(built_warehouse), data_docs_path(warehouse))
    with dashboard(warehouse, folder / "dashboard.log") as (base, _process):
        yield base, warehouse


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def next_build(built_warehouse: Path, small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same data rebuilt as of a mid-month date: a different build, with periods still running."""
    folder = tmp_path_factory.mktemp("next_build")
    working = folder / "loyalty.building.duckdb"
    shutil.copyfile(built_warehouse, working)
    locations = check_raw_dir(small_raw, folder / "placeholders").locations
    # Every model (not a selection by internal model names, which may change).
    run_dbt(
        ["run"],
        working,
        {"raw_locations": locations, "as_of_date": NEXT_AS_OF},
        target_path=folder / "target",
        progress=print,
    )
    return working


# --- what the marts say (the test's own SQL) ----------------------------------------------------------


def _query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def mart_cohort_cells(warehouse: Path, definition: str, basis: str) -> dict:
    rows = _query(
        warehouse,
        """
        select cohort_start_date, period_number, retention_rate, is_complete_period, retained_members_to_date
        from retention.rpt_cohort_retention where cohort_definition = ? and retention_basis = ?""",
        [definition, basis],
    )
    return {(str(cohort), period): (rate, complete, to_date) for cohort, period, rate, complete, to_date in rows}


def mart_latest(warehouse: Path, column: str, table: str):
    return _query(warehouse, f"select max({column}) from {table}")[0][0]


def mart_leaderboard(warehouse: Path, period: str) -> dict:
    rows = _query(
        warehouse,
        """
        select koc_rank, koc_member_id, koc_score from koc.rpt_koc_leaderboard
        where period_start = ? and koc_rank <= 20""",
        [period],
    )
    return {rank: (member, score) for rank, member, score in rows}


def mart_banded_kpis(warehouse: Path, month: str) -> dict:
    rows = _query(
        warehouse,
        """
        select kpi, kpi_value, benchmark_status from retention.rpt_private_domain_kpis
        where month_start_date = ? and kpi_value is not null
          and (benchmark_low is not null or benchmark_high is not null)""",
        [month],
    )
    return {kpi: (value, status) for kpi, value, status in rows}


def expected_churn_histogram(warehouse: Path) -> list[int]:
    scores = [
        float(score)
        for (score,) in _query(
            warehouse, "select churn_risk_score from lifecycle.fct_churn_risk where churn_risk_score is not null"
        )
    ]
    counts, _edges = np.histogram(scores, bins=np.arange(0, 101, 10))  # numpy's last bin includes 100
    return [int(count) for count in counts]


# --- what the page shows ---------------------------------------------------------------------------------


def marks(page, chart: str) -> list[dict]:
    """Every mark of a chart with its data-* attributes."""
    return page.eval_on_selector_all(
        f'svg[data-chart="{chart}"] .mark',
        "elements => elements.map(e => Object.assign({fill: e.getAttribute('fill') || ''}, e.dataset))",
    )


def page_cohort_cells(page) -> dict:
    cells = {}
    for mark in marks(page, "cohort-heatmap"):
        rate = Decimal(mark["value"]) if mark["value"] else None
        cells[(mark["cohort"], int(mark["period"]))] = (rate, mark["complete"] == "true", int(mark["retainedToDate"]))
    return cells


def show(page, section: str, selector: str, value: str) -> None:
    """Choose ``value`` in a selector and press that section's Show button (a plain GET form)."""
    page.select_option(f'select[name="{selector}"]', value)
    with page.expect_navigation():
        page.click(f"#{section} button[type=submit]")


# --- the tests -------------------------------------------------------------------------------------------------


def test_every_chart_renders_with_data_and_nothing_leaves_localhost(served, browser) -> None:
    base, warehouse = served
    with session(browser) as tab:
        response = tab.page.goto(base + "/")
        assert response.status == 200
        counts = {chart: len(marks(tab.page, chart)) for chart in CHARTS}
        print("marks per chart:", counts)
        tab.screenshot("dashboard.png")
        latest_koc = str(mart_latest(warehouse, "period_start", "koc.rpt_koc_leaderboard"))
        latest_month = str(mart_latest(warehouse, "month_start_date", "retention.rpt_private_domain_kpis"))
        assert counts["cohort-heatmap"] == len(mart_cohort_cells(warehouse, "first_purchase", "ordering")) > 100
        assert (
            counts["rfm-segments"]
            == 2 * _query(warehouse, "select count(*) from customer_value.rpt_rfm_segments")[0][0]
        )
        assert (
            counts["loyalty-pyramid"]
            == _query(warehouse, "select count(*) from customer_value.rpt_loyalty_pyramid")[0][0]
            == 3
        )
        assert counts["koc-leaderboard"] == len(mart_leaderboard(warehouse, latest_koc)) == 20
        assert counts["kpi-board"] == len(mart_banded_kpis(warehouse, latest_month)) > 0
        assert counts["churn-risk"] == 10
        # Every chart is drawn with a size, not an empty box.
        for chart in CHARTS:
            box = tab.page.locator(f'svg[data-chart="{chart}"]').bounding_box()
            assert box and box["width"] > 200 and box["height"] > 40, (chart, box)
        # The guard saw the page's own requests (so "nothing blocked" is not vacuous).
        assert any(url.endswith("/static/dashboard.css") for url in tab.allowed), tab.allowed
        tab.assert_clean()


def test_chart_numbers_equal_the_marts(served, browser) -> None:
    base, warehouse = served
    with session(browser) as tab:
        tab.page.goto(base + "/")
        page = tab.page
        assert page_cohort_cells(page) == mart_cohort_cells(warehouse, "first_purchase", "ordering")

        segments = _query(
            warehouse, "select rfm_segment, member_share, net_amount_share from customer_value.rpt_rfm_segments"
        )
        expected = {(seg, "member_share"): members for seg, members, _ in segments}
        expected |= {(seg, "net_amount_share"): value for seg, _, value in segments}
        # The shares are doubles: the mark must carry the same double, bit for bit.
        assert {(m["segment"], m["measure"]): float(m["value"]) for m in marks(page, "rfm-segments")} == expected

        tiers = dict(_query(warehouse, "select kox_tier, members from customer_value.rpt_loyalty_pyramid"))
        assert {m["tier"]: int(m["value"]) for m in marks(page, "loyalty-pyramid")} == tiers

        latest_koc = str(mart_latest(warehouse, "period_start", "koc.rpt_koc_leaderboard"))
        shown = {int(m["rank"]): (m["member"], Decimal(m["value"])) for m in marks(page, "koc-leaderboard")}
        assert shown == mart_leaderboard(warehouse, latest_koc)

        latest_month = str(mart_latest(warehouse, "month_start_date", "retention.rpt_private_domain_kpis"))
        shown_kpis = {m["kpi"]: (Decimal(m["value"]), m["status"]) for m in marks(page, "kpi-board")}
        assert shown_kpis == mart_banded_kpis(warehouse, latest_month)

        assert [int(m["value"]) for m in marks(page, "churn-risk")] == expected_churn_histogram(warehouse)

        as_of = str(mart_latest(warehouse, "as_of_date", "member_facts.fct_members"))
        assert page.locator('[data-build="as_of_date"]').inner_text() == as_of
        # The tables beside the charts show the same figures to people: the top KOC's score.
        top_member, top_score = mart_leaderboard(warehouse, latest_koc)[1]
        first_row = page.locator("table.koc tbody tr").first.locator("td").all_inner_texts()
        assert (first_row[1], first_row[4]) == (top_member, str(top_score))
        tab.assert_clean()


def test_selectors_change_what_is_shown(served, browser) -> None:
    base, warehouse = served
    with session(browser) as tab:
        page = tab.page
        page.goto(base + "/")
        ordering = page_cohort_cells(page)

        # (On the test data the revenue basis equals the ordering basis cell for cell - a refunded
        # order is not a purchase - so the switch is checked with the active basis.)
        show(page, "cohorts", "basis", "active")
        assert "basis=active" in page.url
        active = page_cohort_cells(page)
        assert active == mart_cohort_cells(warehouse, "first_purchase", "active")
        assert active != ordering

        show(page, "cohorts", "definition", "registration")
        registration = page_cohort_cells(page)
        assert registration == mart_cohort_cells(warehouse, "registration", "active")
        assert registration != active
        assert page.locator('select[name="basis"]').input_value() == "active"  # the other choice is kept

        latest = page.locator("[data-koc-period]").get_attribute("data-koc-period")
        earlier = "2024-06-01"
        before = marks(page, "koc-leaderboard")
        show(page, "koc", "koc_period", earlier)
        assert page.locator("[data-koc-period]").get_attribute("data-koc-period") == earlier != latest
        after = marks(page, "koc-leaderboard")
        assert {int(m["rank"]): (m["member"], Decimal(m["value"])) for m in after} == mart_leaderboard(
            warehouse, earlier
        )
        assert [(m["member"], m["value"]) for m in after] != [(m["member"], m["value"]) for m in before]
        assert page_cohort_cells(page) == registration  # the cohort choice survives the KOC switch

        show(page, "kpis", "kpi_month", "2024-01-01")
        shown_kpis = {m["kpi"]: (Decimal(m["value"]), m["status"]) for m in marks(page, "kpi-board")}
        assert shown_kpis == mart_banded_kpis(warehouse, "2024-01-01")
        tab.screenshot("dashboard_selected.png")
        tab.assert_clean()


def test_a_new_build_published_over_the_path_shows_without_restart(
    built_warehouse: Path, next_build: Path, browser, tmp_path: Path
) -> None:
    # A published warehouse (pointer, symlink, versioned build), as `loyalty build` leaves it.
    warehouse = tmp_path / "loyalty.duckdb"
    first_build = tmp_path / "first.duckdb"
    shutil.copyfile(built_warehouse, first_build)
    first = publish(first_build, warehouse)
    with dashboard(warehouse, tmp_path / "dashboard.log") as (base, process), session(browser) as tab:
        page = tab.page
        page.goto(base + "/")
        old_as_of = page.locator('[data-build="as_of_date"]').inner_text()
        assert page.locator('[data-build="build_id"]').inner_text() == first.build_id
        old_built = page.locator('[data-build="built_at"]').get_attribute("title")
        assert not [c for c in page_cohort_cells(page).values() if not c[1]], "the first build has no open periods"

        time.sleep(1.1)  # the build time shown is in whole seconds
        # the runner's own publish: a versioned build file, its export, then the pointer and the symlink
        published = publish(next_build, warehouse)
        page.reload()

        assert process.poll() is None, "the server must keep running"
        assert old_as_of == "2024-12-31"
        assert page.locator('[data-build="as_of_date"]').inner_text() == NEXT_AS_OF
        assert page.locator('[data-build="built_at"]').get_attribute("title") != old_built
        # the header names the build the charts were read from: the one the pointer names
        assert page.locator('[data-build="build_id"]').inner_text() == published.build_id
        cells = page_cohort_cells(page)
        assert cells == mart_cohort_cells(warehouse, "first_purchase", "ordering")
        incomplete = [key for key, (rate, complete, _) in cells.items() if not complete]
        assert (
            len(incomplete)
            == _query(
                warehouse,
                """
            select count(*) from retention.rpt_cohort_retention
            where cohort_definition = 'first_purchase' and retention_basis = 'ordering' and not is_complete_period""",
            )[0][0]
            > 0
        )
        # Running periods are drawn differently (hatched, no rate) from finished ones (a shade).
        heat = marks(page, "cohort-heatmap")
        assert {m["fill"] for m in heat if m["complete"] == "false"} == {"url(#hatch-incomplete)"}
        assert all(m["fill"].startswith("#") for m in heat if m["complete"] == "true")
        assert all(m["value"] == "" for m in heat if m["complete"] == "false")
        health = json.loads(_get(base + "/healthz")[1])
        assert health["as_of_date"] == NEXT_AS_OF and health["build_id"] == published.build_id
        tab.screenshot("dashboard_after_publish.png")
        page.locator("#cohorts").screenshot(path=str(SCREENSHOTS / "cohorts_after_publish.png"))
        tab.assert_clean()


def test_missing_warehouse_bad_selector_and_port_in_use_give_one_line_errors(served, tmp_path: Path) -> None:
    base, _warehouse = served
    missing = tmp_path / "nowhere" / "loyalty.duckdb"
    with dashboard(missing, tmp_path / "missing.log") as (missing_base, _process):
        status, body = _get(missing_base + "/")
        assert status == 503
        assert "make demo" in body and "loyalty build" in body and str(missing) in body
    assert "warning: no warehouse at" in (tmp_path / "missing.log").read_text()

    status, body = _get(base + "/?basis=teleport")
    assert status == 400 and "unknown retention basis &#x27;teleport&#x27;: choose one of ordering" in body

    port = int(base.rsplit(":", 1)[1])
    taken = subprocess.run(
        _dashboard_command(_warehouse, port), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert taken.returncode == 1
    lines = taken.stderr.strip().splitlines()
    assert lines == [
        f"Error: port {port} on 127.0.0.1 is already in use: stop what runs there or pick another with --port"
    ]


def test_quality_report_is_served_beside_the_dashboard(served, browser) -> None:
    base, _warehouse = served
    with session(browser) as tab:
        tab.page.goto(base + "/")
        with tab.page.expect_navigation():
            tab.page.click("text=data quality report")
        assert tab.page.locator("tr[data-success]").count() > 0
        assert tab.page.locator("text=every gate passed").is_visible()
        tab.assert_clean()
