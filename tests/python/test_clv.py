"""Predictive customer value (src/loyalty_warehouse/clv.py and the customer-value marts built on it).

- The CDNOW benchmark: the project's fits on the CDNOW sample, read through the raw contract
  (orders only), reproduce the BG/NBD and Gamma-Gamma estimates Fader, Hardie and Lee published.
- The formulas at known values, against an independent simulation of the models' stories, and
  their gradients against finite differences.
- Bad input stops with a message that says what to do.
- On generated data, members the generator planted as churned get a lower P(alive) than steady buyers.
- The warehouse tables equal the module's results on the same purchases.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from scipy import special, stats

import cdnow
from loyalty_warehouse import clv
from loyalty_warehouse.contract import TABLES_BY_NAME
from loyalty_warehouse.paths import PROJECT_DIR
from loyalty_warehouse.report import DUCKDB_ONLY_TABLES

# Fader, Hardie and Lee (2005), "Counting your customers the easy way", CDNOW sample, 39 weeks.
PUBLISHED_BG_NBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
# Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves", the same customers' repeat transactions.
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}
CDNOW_REPEAT_CUSTOMERS = 946
PURCHASE_STATUSES = ("paid", "partially_refunded")
CDNOW_LIKE = clv.BgNbdParameters(r=0.243, alpha=4.414, a=0.793, b=2.426)


def _purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Purchases from raw orders: the warehouse's definition (purchase statuses, net = paid - refund)."""
    orders = orders.drop_duplicates()  # exact replays (at-least-once delivery) are one order
    purchases = orders[orders["status"].isin(PURCHASE_STATUSES)]
    return purchases.assign(net_amount=purchases["paid_amount"] - purchases["refund_amount"].fillna(0.0))


def _summary(purchases: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    return clv.summarise_transactions(purchases, as_of, "member_id", "ordered_at", "net_amount")


@pytest.fixture(scope="module")
def cdnow_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cdnow.write_raw_files(tmp_path_factory.mktemp("cdnow_raw"))


@pytest.fixture(scope="module")
def cdnow_summary(cdnow_raw: Path) -> pd.DataFrame:
    return _summary(_purchases(pd.read_parquet(cdnow_raw / "raw_orders.parquet")), cdnow.CALIBRATION_END)


# --------------------------------------------------------------------------- CDNOW benchmark


def test_cdnow_converts_to_the_raw_contract(cdnow_raw: Path) -> None:
    for name, rows in (("raw_members", cdnow.CUSTOMERS), ("raw_orders", cdnow.LINES), ("raw_interactions", 0)):
        table = pq.read_table(cdnow_raw / f"{name}.parquet")
        assert table.schema.equals(TABLES_BY_NAME[name].schema), f"{name}: {table.schema} is not the contract's"
        assert table.num_rows == rows, name
    members = pd.read_parquet(cdnow_raw / "raw_members.parquet")
    orders = pd.read_parquet(cdnow_raw / "raw_orders.parquet")
    first_orders = orders.groupby("member_id")["ordered_at"].min()
    assert (members.set_index("member_id")["registered_at"] == first_orders).all()
    assert (orders["ordered_at"].dt.hour == 12).all() and (orders["status"] == "paid").all()
    assert orders["order_id"].is_unique
    assert orders["paid_amount"].sum() == pytest.approx(sum(line[3] for line in cdnow.read_cdnow()))


def test_cdnow_summary_follows_the_papers_definitions(cdnow_summary: pd.DataFrame) -> None:
    assert len(cdnow_summary) == cdnow.CUSTOMERS
    assert int((cdnow_summary["frequency"] > 0).sum()) == CDNOW_REPEAT_CUSTOMERS
    # the cohort's first purchases are in the first quarter of 1997, from 1997-01-01 (T = 272 days)
    assert cdnow_summary["t_weeks"].max() == pytest.approx(272 / 7)
    assert cdnow_summary["t_weeks"].min() >= 183 / 7
    assert (cdnow_summary["first_purchase_date"] >= dt.date(1997, 1, 1)).all()
    assert (cdnow_summary["recency_weeks"] <= cdnow_summary["t_weeks"]).all()


def test_bg_nbd_reproduces_the_published_cdnow_estimates(cdnow_summary: pd.DataFrame) -> None:
    params, report = clv.fit_bg_nbd(
        cdnow_summary["frequency"], cdnow_summary["recency_weeks"], cdnow_summary["t_weeks"]
    )
    fitted = vars(params)
    print(f"\nBG/NBD on CDNOW ({report.customers} customers, LL {report.log_likelihood:.2f}, {report.seconds:.3f} s):")
    for name, published in PUBLISHED_BG_NBD.items():
        print(f"  {name:5} fitted {fitted[name]:.4f}  published {published}  ({fitted[name] / published - 1:+.2%})")
    off = {
        name: fitted[name] for name, published in PUBLISHED_BG_NBD.items() if abs(fitted[name] / published - 1) > 0.01
    }
    assert not off, f"BG/NBD parameters more than 1 % from the published ones: {off}"


def test_gamma_gamma_reproduces_the_published_cdnow_estimates(cdnow_summary: pd.DataFrame) -> None:
    params, report = clv.fit_gamma_gamma(cdnow_summary["frequency"], cdnow_summary["monetary_value"])
    fitted = vars(params)
    print(f"\nGamma-Gamma on CDNOW ({report.customers} repeat customers, LL {report.log_likelihood:.2f}):")
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        print(f"  {name:5} fitted {fitted[name]:.4f}  published {published}  ({fitted[name] / published - 1:+.2%})")
    assert report.customers == CDNOW_REPEAT_CUSTOMERS
    off = {
        name: fitted[name]
        for name, published in PUBLISHED_GAMMA_GAMMA.items()
        if abs(fitted[name] / published - 1) > 0.01
    }
    assert not off, f"Gamma-Gamma parameters more than 1 % from the published ones: {off}"


# --------------------------------------------------------------------------- formulas at known values


def test_likelihood_without_repeat_purchases_is_the_nbd_term_alone() -> None:
    """x = 0: nobody can have dropped out, so L = P(no purchase in (0, T]) = (alpha / (alpha + T))^r."""
    ages = np.array([0.0, 1.0, 10.0, 38.86])
    expected = CDNOW_LIKE.r * np.log(CDNOW_LIKE.alpha / (CDNOW_LIKE.alpha + ages))
    actual = clv.bg_nbd_log_likelihood(CDNOW_LIKE, np.zeros(4), np.zeros(4), ages)
    np.testing.assert_allclose(actual, expected, rtol=1e-12)


def test_likelihoods_match_the_probability_of_the_data_by_integration() -> None:
    """The closed forms equal a direct numerical integration over the customer's latent rate and
    dropout probability (BG/NBD) or spend scale (Gamma-Gamma), independent of the algebra."""
    from scipy import integrate

    frequency, recency, age = 3, 20.0, 38.0
    r, alpha, a, b = CDNOW_LIKE.r, CDNOW_LIKE.alpha, CDNOW_LIKE.a, CDNOW_LIKE.b

    def given_rate_and_dropout(dropout: float, rate: float) -> float:
        # x purchases at given times, survival after each, then alive to T or dropped after t_x
        path = rate**frequency * (1 - dropout) ** frequency
        return path * (np.exp(-rate * age) + dropout / (1 - dropout) * np.exp(-rate * recency))

    def weighted(dropout: float, rate: float) -> float:
        return (
            given_rate_and_dropout(dropout, rate)
            * stats.gamma.pdf(rate, r, scale=1 / alpha)
            * stats.beta.pdf(dropout, a, b)
        )

    integral, _ = integrate.dblquad(weighted, 0, 5, 0, 1, epsabs=1e-14, epsrel=1e-10)
    closed = clv.bg_nbd_log_likelihood(CDNOW_LIKE, [frequency], [recency], [age])[0]
    assert closed == pytest.approx(math.log(integral), abs=1e-6)

    spend = clv.GammaGammaParameters(p=6.25, q=3.74, gamma=15.44)
    repeats, mean_value = 4, 30.0

    def mean_value_density(scale: float) -> float:
        # the mean of x Gamma(p, scale) spends is Gamma(p x, scale x)
        within = stats.gamma.pdf(mean_value, spend.p * repeats, scale=1 / (scale * repeats))
        return within * stats.gamma.pdf(scale, spend.q, scale=1 / spend.gamma)

    integral, _ = integrate.quad(mean_value_density, 0, 10, epsabs=1e-14, epsrel=1e-10, limit=200)
    closed = clv.gamma_gamma_log_likelihood(spend, [repeats], [mean_value])[0]
    assert closed == pytest.approx(math.log(integral), abs=1e-6)


def test_likelihood_gradients_match_finite_differences() -> None:
    frequency = np.array([0.0, 1.0, 2.0, 7.0, 30.0])
    recency = np.array([0.0, 3.0, 20.0, 35.0, 37.0])
    age = np.array([5.0, 10.0, 38.0, 38.0, 39.0])
    log_params = np.log([0.5, 4.0, 0.8, 2.5])
    _, analytic = clv._bg_nbd_terms(clv.BgNbdParameters(*np.exp(log_params)), frequency, recency, age)
    for index in range(4):
        step = np.zeros(4)
        step[index] = 1e-6
        upper = clv.bg_nbd_log_likelihood(clv.BgNbdParameters(*np.exp(log_params + step)), frequency, recency, age)
        lower = clv.bg_nbd_log_likelihood(clv.BgNbdParameters(*np.exp(log_params - step)), frequency, recency, age)
        np.testing.assert_allclose(analytic[index], (upper - lower) / 2e-6, rtol=1e-5, atol=1e-7)

    repeats = np.array([1.0, 2.0, 5.0, 40.0])
    values = np.array([10.0, 35.0, 20.0, 80.0])
    log_params = np.log([6.0, 3.7, 15.0])
    _, analytic = clv._gamma_gamma_terms(clv.GammaGammaParameters(*np.exp(log_params)), repeats, values)
    for index in range(3):
        step = np.zeros(3)
        step[index] = 1e-6
        upper = clv.gamma_gamma_log_likelihood(clv.GammaGammaParameters(*np.exp(log_params + step)), repeats, values)
        lower = clv.gamma_gamma_log_likelihood(clv.GammaGammaParameters(*np.exp(log_params - step)), repeats, values)
        np.testing.assert_allclose(analytic[index], (upper - lower) / 2e-6, rtol=1e-5, atol=1e-7)


def test_probability_alive_is_one_without_repeat_purchases_and_rises_with_recency() -> None:
    ages = np.array([0.0, 5.0, 39.0, 200.0])
    assert (clv.probability_alive(CDNOW_LIKE, np.zeros(4), np.zeros(4), ages) == 1.0).all()
    recencies = np.linspace(0.0, 39.0, 40)
    alive = clv.probability_alive(CDNOW_LIKE, np.full(40, 3.0), recencies, np.full(40, 39.0))
    assert (np.diff(alive) > 0).all(), "P(alive) must rise the more recent the last purchase"
    # bought at T: alive unless they dropped out right after that purchase, 1 / (1 + a / (b + x - 1))
    assert alive[-1] == pytest.approx(1 / (1 + CDNOW_LIKE.a / (CDNOW_LIKE.b + 2)))
    # the same quiet spell is worse news for a frequent buyer
    frequent = clv.probability_alive(CDNOW_LIKE, [1.0, 5.0, 20.0], [20.0] * 3, [39.0] * 3)
    assert (np.diff(frequent) < 0).all()


def test_expected_purchases_of_a_new_customer_equal_the_unconditional_formula() -> None:
    """At x = t_x = T = 0, eq. 10 must equal eq. 9, E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r
    2F1(r, b; a+b-1; t/(alpha+t))], evaluated here without the Euler transformation the module uses."""
    r, alpha, a, b = CDNOW_LIKE.r, CDNOW_LIKE.alpha, CDNOW_LIKE.a, CDNOW_LIKE.b
    horizons = np.array([1.0, 13.0, 39.0, 78.0, 520.0])
    unconditional = (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + horizons)) ** r * special.hyp2f1(r, b, a + b - 1, horizons / (alpha + horizons)))
    )
    conditional = clv.expected_purchases(CDNOW_LIKE, horizons, np.zeros(5), np.zeros(5), np.zeros(5))
    np.testing.assert_allclose(conditional, unconditional, rtol=1e-10)
    assert (np.diff(conditional) > 0).all()


def _simulate_bg_nbd(
    params: clv.BgNbdParameters, ages: np.ndarray, holdout_weeks: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The BG/NBD story, customer by customer: a Poisson purchase rate ~ Gamma(r, alpha), a dropout
    probability ~ Beta(a, b) applied after every repeat purchase. Returns the calibration summary,
    the purchases in the holdout (T, T + holdout_weeks] and whether each customer was alive at T."""
    customers = len(ages)
    rate = rng.gamma(params.r, 1 / params.alpha, customers)
    dropout = rng.beta(params.a, params.b, customers)
    clock = np.zeros(customers)
    frequency = np.zeros(customers)
    recency = np.zeros(customers)
    holdout = np.zeros(customers)
    alive = np.ones(customers, dtype=bool)
    dead_at_age = np.zeros(customers, dtype=bool)
    while alive.any():
        active = np.flatnonzero(alive)
        clock[active] += rng.exponential(1 / rate[active])
        inside = clock[active] <= ages[active] + holdout_weeks
        alive[active[~inside]] = False
        buyers = active[inside]
        in_calibration = clock[buyers] <= ages[buyers]
        frequency[buyers[in_calibration]] += 1
        recency[buyers[in_calibration]] = clock[buyers[in_calibration]]
        holdout[buyers[~in_calibration]] += 1
        drops = rng.random(len(buyers)) < dropout[buyers]
        alive[buyers[drops]] = False
        dead_at_age[buyers[drops & in_calibration]] = True
    return {"frequency": frequency, "recency": recency, "age": ages, "holdout": holdout, "alive_at_age": ~dead_at_age}


def test_predictions_match_a_simulation_of_the_model() -> None:
    """Over many simulated customers, the predicted holdout purchases and P(alive) add up to what
    the simulated customers did (law of total expectation), overall and by calibration frequency."""
    rng = np.random.default_rng(2005)
    customers, holdout_weeks = 60_000, 39.0
    world = _simulate_bg_nbd(CDNOW_LIKE, rng.uniform(26, 39, customers), holdout_weeks, rng)
    predicted = clv.expected_purchases(CDNOW_LIKE, holdout_weeks, world["frequency"], world["recency"], world["age"])
    alive = clv.probability_alive(CDNOW_LIKE, world["frequency"], world["recency"], world["age"])
    for label, group in (
        ("all", np.ones(customers, dtype=bool)),
        ("x=0", world["frequency"] == 0),
        ("x=1-2", (world["frequency"] >= 1) & (world["frequency"] <= 2)),
        ("x>=3", world["frequency"] >= 3),
    ):
        actual = world["holdout"][group]
        # 4 standard errors of the simulated total (purchase counts are overdispersed; use their spread)
        tolerance = 4 * actual.std() * math.sqrt(group.sum())
        print(
            f"{label:6} customers {group.sum():6}  holdout purchases actual {actual.sum():8.0f}  "
            f"predicted {predicted[group].sum():9.1f}  alive actual {world['alive_at_age'][group].mean():.4f}  "
            f"predicted {alive[group].mean():.4f}"
        )
        assert abs(predicted[group].sum() - actual.sum()) < tolerance, label
        alive_tolerance = 4 * math.sqrt(0.25 / group.sum())
        assert abs(alive[group].mean() - world["alive_at_age"][group].mean()) < alive_tolerance, label


def test_bg_nbd_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(7)
    world = _simulate_bg_nbd(CDNOW_LIKE, np.round(rng.uniform(26, 39, 60_000) * 7) / 7, 0.0, rng)
    # purchases on whole days, as the warehouse sees them
    recency = np.minimum(np.round(world["recency"] * 7) / 7, world["age"])
    fitted, _ = clv.fit_bg_nbd(world["frequency"], recency, world["age"])
    print(f"\nsimulated {vars(CDNOW_LIKE)}\nfitted    {vars(fitted)}")
    for name, truth in vars(CDNOW_LIKE).items():
        # at 60,000 customers the estimates' sampling error is a few per cent
        assert vars(fitted)[name] == pytest.approx(truth, rel=0.15), name


def _simulate_gamma_gamma(
    params: clv.GammaGammaParameters, frequency: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Mean spend of x purchases each Gamma(p, rate nu), nu ~ Gamma(q, rate gamma) per customer."""
    scale_rate = rng.gamma(params.q, 1 / params.gamma, len(frequency))
    spends = [rng.gamma(params.p, 1 / nu, int(x)).mean() for nu, x in zip(scale_rate, frequency, strict=False)]
    return np.array(spends)


def test_gamma_gamma_fit_and_expected_order_value_match_a_simulation() -> None:
    truth = clv.GammaGammaParameters(p=6.25, q=3.74, gamma=15.44)
    rng = np.random.default_rng(11)
    frequency = rng.integers(1, 12, 20_000).astype(float)
    mean_values = _simulate_gamma_gamma(truth, frequency, rng)
    fitted, report = clv.fit_gamma_gamma(frequency, mean_values)
    print(f"\nsimulated {vars(truth)}\nfitted    {vars(fitted)}")
    assert report.customers == 20_000
    for name, value in vars(truth).items():
        assert vars(fitted)[name] == pytest.approx(value, rel=0.15), name
    # no repeat purchase: the population mean; many repeats: close to the customer's own mean
    population = clv.expected_average_order_value(truth, [0.0, 0.0], [np.nan, 50.0])
    assert population == pytest.approx([truth.population_mean_value] * 2)
    assert clv.expected_average_order_value(truth, [10_000.0], [80.0])[0] == pytest.approx(80.0, rel=1e-3)
    weighted = clv.expected_average_order_value(truth, [3.0], [80.0])[0]
    assert truth.population_mean_value < weighted < 80.0


def test_predicted_value_discounts_monthly_steps() -> None:
    spend = clv.GammaGammaParameters(p=6.25, q=3.74, gamma=15.44)
    summary = pd.DataFrame(
        {
            "frequency": [0, 2, 10],
            "recency_weeks": [0.0, 30.0, 38.0],
            "t_weeks": [10.0, 38.86, 38.86],
            "monetary_value": [np.nan, 40.0, 25.0],
        }
    )
    args = (summary["frequency"], summary["recency_weeks"], summary["t_weeks"])
    order_value = clv.expected_average_order_value(spend, summary["frequency"], summary["monetary_value"])
    undiscounted = clv.predicted_customer_value(CDNOW_LIKE, spend, summary, 365, 0.0)
    np.testing.assert_allclose(undiscounted, clv.expected_purchases(CDNOW_LIKE, 365 / 7, *args) * order_value)
    # one step shorter than a month: discounted from its end, 20 days
    short = clv.predicted_customer_value(CDNOW_LIKE, spend, summary, 20, 0.1)
    np.testing.assert_allclose(
        short, clv.expected_purchases(CDNOW_LIKE, 20 / 7, *args) * order_value / 1.1 ** (20 / 365)
    )
    # two years at 10 %: month k's purchases discounted by 1.1^(k / 12)
    two_years = clv.predicted_customer_value(CDNOW_LIKE, spend, summary, 730, 0.1)
    ends = np.arange(1, 25) * 365 / 12
    cumulative = np.stack([clv.expected_purchases(CDNOW_LIKE, end / 7, *args) for end in ends])
    increments = np.diff(cumulative, axis=0, prepend=0.0)
    by_hand = (increments / 1.1 ** (ends / 365)[:, None]).sum(axis=0) * order_value
    np.testing.assert_allclose(two_years, by_hand)
    assert (two_years < clv.predicted_customer_value(CDNOW_LIKE, spend, summary, 730, 0.0)).all()


def test_summary_counts_purchase_days_and_ignores_purchases_after_the_end() -> None:
    transactions = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "A", "A", "B"],
            "purchase_date": pd.to_datetime(
                ["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-15", "2024-01-29", "2024-03-01", "2024-01-08"],
                format="ISO8601",
            ),
            "amount": [10.0, 5.0, 20.0, 40.0, 999.0, 7.0],
        }
    )
    summary = clv.summarise_transactions(transactions, "2024-02-26").set_index("customer_id")
    assert summary.loc["A", "frequency"] == 2
    assert summary.loc["A", "recency_weeks"] == pytest.approx(4.0)
    assert summary.loc["A", "t_weeks"] == pytest.approx(8.0)
    assert summary.loc["A", "monetary_value"] == pytest.approx(30.0)  # (20 + 40) / 2, the first day left out
    assert summary.loc["B", "frequency"] == 0 and np.isnan(summary.loc["B", "monetary_value"])


# --------------------------------------------------------------------------- errors


def test_too_few_repeat_buyers_stop_the_fit_saying_what_to_do() -> None:
    frequency, recency, age = np.array([0, 0, 1, 2]), np.array([0, 0, 3.0, 4.0]), np.array([5.0, 6.0, 7.0, 8.0])
    with pytest.raises(
        clv.ClvError, match=r"at least 20 customers with a repeat purchase day, got 2 of 4: use a longer"
    ):
        clv.fit_bg_nbd(frequency, recency, age)
    with pytest.raises(clv.ClvError, match=r"Gamma-Gamma needs at least 20 .* got 2 of 4"):
        clv.fit_gamma_gamma(frequency, np.array([np.nan, np.nan, 10.0, 20.0]))


def test_impossible_summaries_name_the_row() -> None:
    with pytest.raises(clv.ClvError, match=r"row 1: recency must be <= T"):
        clv.fit_bg_nbd(np.array([1, 2]), np.array([1.0, 9.0]), np.array([5.0, 8.0]))
    with pytest.raises(clv.ClvError, match=r"row 0: recency must be 0 when frequency is 0"):
        clv.fit_bg_nbd(np.array([0, 2]), np.array([1.0, 2.0]), np.array([5.0, 8.0]))


def test_unusable_transactions_name_the_column_or_the_date() -> None:
    frame = pd.DataFrame({"customer_id": ["A"], "purchase_date": [pd.Timestamp("2024-05-01")], "amount": [1.0]})
    with pytest.raises(clv.ClvError, match=r"no column 'net_amount'"):
        clv.summarise_transactions(frame, "2024-06-01", amount_column="net_amount")
    with pytest.raises(clv.ClvError, match=r"no transaction on or before the calibration end 2024-04-01"):
        clv.summarise_transactions(frame, "2024-04-01")
    with pytest.raises(clv.ClvError, match=r"transaction row 0 has no customer_id, purchase_date or amount"):
        clv.summarise_transactions(frame.assign(amount=[np.nan]), "2024-06-01")


def test_same_dropout_for_everyone_is_reported_as_unidentifiable() -> None:
    """With one dropout probability for all buyers, the likelihood keeps rising as a and b grow
    together: there is no maximum, and the error says so instead of returning a made-up optimum."""
    rng = np.random.default_rng(3)
    customers = 20_000
    rate = rng.gamma(2.0, 1 / 10.0, customers)
    ages = rng.uniform(26, 39, customers)
    clock = np.zeros(customers)
    frequency, recency = np.zeros(customers), np.zeros(customers)
    alive = np.ones(customers, dtype=bool)
    while alive.any():
        active = np.flatnonzero(alive)
        clock[active] += rng.exponential(1 / rate[active])
        inside = clock[active] <= ages[active]
        alive[active[~inside]] = False
        buyers = active[inside]
        frequency[buyers] += 1
        recency[buyers] = clock[buyers]
        alive[buyers[rng.random(len(buyers)) < 0.02]] = False
    with pytest.raises(clv.ClvError, match=r"every buyer seems to drop out .* with the same probability 0\.0"):
        clv.fit_bg_nbd(frequency, recency, ages)


def test_heavy_tailed_spend_without_a_finite_mean_is_refused() -> None:
    rng = np.random.default_rng(5)
    frequency = rng.integers(1, 8, 5_000).astype(float)
    mean_values = _simulate_gamma_gamma(clv.GammaGammaParameters(p=3.0, q=0.6, gamma=10.0), frequency, rng)
    with pytest.raises(clv.ClvError, match=r"q = 0\.\d+ <= 1: the expected spend per purchase is infinite"):
        clv.fit_gamma_gamma(frequency, mean_values)


def test_prediction_settings_are_checked() -> None:
    spend = clv.GammaGammaParameters(p=6.25, q=3.74, gamma=15.44)
    summary = pd.DataFrame(
        {"customer_id": ["A"], "frequency": [1], "recency_weeks": [2.0], "t_weeks": [5.0], "monetary_value": [3.0]}
    )
    with pytest.raises(clv.ClvError, match="set clv_horizon_days"):
        clv.predict(CDNOW_LIKE, spend, summary, 90, 0, 0.1)
    with pytest.raises(clv.ClvError, match="set clv_annual_discount_rate"):
        clv.predict(CDNOW_LIKE, spend, summary, 90, 365, -0.1)
    with pytest.raises(clv.ClvError, match="set clv_prediction_days"):
        clv.predict(CDNOW_LIKE, spend, summary, 0, 365, 0.1)


def test_a_million_buyers_fit_and_predict_in_seconds() -> None:
    rng = np.random.default_rng(1)
    customers = 1_000_000
    ages = np.round(rng.uniform(0, 104, customers) * 7) / 7
    world = _simulate_bg_nbd(CDNOW_LIKE, ages, 0.0, rng)
    repeat = world["frequency"] > 0
    mean_values = np.full(customers, np.nan)
    spend_rate = rng.gamma(3.74, 1 / 15.44, customers)
    mean_values[repeat] = rng.gamma(
        6.25 * world["frequency"][repeat], 1 / (spend_rate[repeat] * world["frequency"][repeat])
    )
    summary = pd.DataFrame(
        {
            "customer_id": np.arange(customers),
            "frequency": world["frequency"],
            "recency_weeks": np.minimum(np.round(world["recency"] * 7) / 7, ages),
            "t_weeks": ages,
            "monetary_value": mean_values,
        }
    )
    started = pd.Timestamp.now()
    fitted = clv.fit(summary)
    fit_seconds = (pd.Timestamp.now() - started).total_seconds()
    predictions = clv.predict(fitted.bg_nbd, fitted.gamma_gamma, summary, 90, 365, 0.1)
    total_seconds = (pd.Timestamp.now() - started).total_seconds()
    print(f"\n1,000,000 buyers: fit {fit_seconds:.1f} s, fit + predict {total_seconds:.1f} s; {fitted.bg_nbd}")
    assert predictions["predicted_value"].notna().all()
    # generous for a shared 2-core machine; it takes about 8 s there
    assert total_seconds < 60


# --------------------------------------------------------------------------- generated data


def _auc(lower: np.ndarray, higher: np.ndarray) -> float:
    """P(a random `lower` value < a random `higher` value), ties counting half (Mann-Whitney)."""
    u_statistic = stats.mannwhitneyu(higher, lower, alternative="two-sided").statistic
    return float(u_statistic / (len(lower) * len(higher)))


def _auc_standard_error(auc: float, positives: int, negatives: int) -> float:
    """Hanley and McNeil (1982)."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)) / (
        positives * negatives
    )
    return math.sqrt(variance)


def _planted_groups(small_raw: Path, predictions: pd.DataFrame) -> pd.DataFrame:
    truth = pd.read_parquet(small_raw / "ground_truth.parquet")
    members = pd.read_parquet(small_raw / "raw_members.parquet", columns=["member_id", "relationship_ended_at"])
    frame = predictions.merge(truth, on="member_id").merge(members, on="member_id")
    steady_koc = (frame["archetype"] == "koc") & (frame["koc_behaviour"] == "steady")
    frame["is_steady"] = (
        (frame["archetype"].isin(["regular", "super_user"]) | steady_koc)
        & ~frame["is_churned"]
        & frame["relationship_ended_at"].isna()
    )
    return frame


def test_planted_churners_get_a_lower_probability_alive_than_steady_buyers(small_raw: Path) -> None:
    """Churned = planted churners who never came back; steady = regular buyers, super users and
    steady KOCs who did not churn or end the relationship.

    Thresholds. BG/NBD lets a buyer drop out only after a repeat purchase, so every one-time
    buyer has P(alive) = 1 whatever their recency: among all buyers the churned and the steady
    one-timers are tied, and the AUC is only required to beat chance by 3 standard errors. Among
    repeat buyers, where the model has evidence, it must discriminate well: AUC >= 0.8, the usual
    bound for "excellent" discrimination (Hosmer and Lemeshow).
    """
    purchases = _purchases(pd.read_parquet(small_raw / "raw_orders.parquet"))
    as_of = purchases["ordered_at"].max().date()
    summary = _summary(purchases, as_of)
    fitted = clv.fit(summary)
    predictions = clv.predict(fitted.bg_nbd, fitted.gamma_gamma, summary, 90, 365, 0.1)
    per_buyer = predictions.merge(summary[["customer_id", "frequency"]], on="customer_id")
    frame = _planted_groups(small_raw, per_buyer.rename(columns={"customer_id": "member_id"}))
    churned, steady = frame[frame["is_churned"]], frame[frame["is_steady"]]
    auc_all = _auc(churned["probability_alive"].to_numpy(), steady["probability_alive"].to_numpy())
    error_all = _auc_standard_error(auc_all, len(churned), len(steady))
    repeat_churned, repeat_steady = churned[churned["frequency"] > 0], steady[steady["frequency"] > 0]
    auc_repeat = _auc(repeat_churned["probability_alive"].to_numpy(), repeat_steady["probability_alive"].to_numpy())
    print(
        f"\nas of {as_of}: {fitted.bg_nbd}\n"
        f"AUC P(alive) steady vs churned, all buyers: {auc_all:.3f} (SE {error_all:.3f}; {len(churned)} churned, "
        f"{len(steady)} steady)\n"
        f"AUC among repeat buyers: {auc_repeat:.3f} ({len(repeat_churned)} churned, {len(repeat_steady)} steady)\n"
        f"mean P(alive): churned {churned['probability_alive'].mean():.3f}, steady "
        f"{steady['probability_alive'].mean():.3f}"
    )
    assert len(repeat_churned) >= 50 and len(repeat_steady) >= 50, "too few planted buyers to judge"
    assert auc_all > 0.5 + 3 * error_all
    assert auc_repeat >= 0.8


# --------------------------------------------------------------------------- warehouse


def test_duckdb_only_tables_are_the_marts_disabled_elsewhere() -> None:
    """The engine lanes skip DUCKDB_ONLY_TABLES; they must be exactly the public models enabled by target.type."""
    disabled_elsewhere = set()
    for path in (PROJECT_DIR / "models" / "marts").rglob("_*__models.yml"):
        for node in yaml.safe_load(path.read_text())["models"]:
            enabled = str(node.get("config", {}).get("enabled", ""))
            if "target.type == 'duckdb'" in enabled:
                disabled_elsewhere.add(f"{path.parent.name}.{node['name']}")
    assert disabled_elsewhere == set(DUCKDB_ONLY_TABLES)


@pytest.mark.e2e
def test_warehouse_tables_equal_the_module_on_the_same_purchases(built_warehouse: Path, small_raw: Path) -> None:
    """The SQL summary and the Python models in dbt give what the module gives from fct_orders directly."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        orders = con.execute(
            "select member_id, ordered_at, net_amount from member_facts.fct_orders where is_purchase"
        ).df()
        mart = con.execute("select * from customer_value.fct_member_predicted_value order by member_id").df()
        parameters = con.execute("select * from customer_value.rpt_clv_model_parameters").df()
        as_of = con.execute("select max(as_of_date) from member_facts.fct_members").fetchone()[0]
        buyers = con.execute("select count(*) from member_facts.fct_members where purchases_lifetime > 0").fetchone()[0]
    finally:
        con.close()
    orders["net_amount"] = orders["net_amount"].astype(float)
    summary = _summary(orders, as_of)
    fitted = clv.fit(summary)
    expected = clv.predict(fitted.bg_nbd, fitted.gamma_gamma, summary, 90, 365, 0.10)
    stored_bg_nbd, stored_gamma_gamma = clv.parameters_from_rows(parameters)
    print(f"\nwarehouse: {stored_bg_nbd} {stored_gamma_gamma}")
    for stored, direct in ((stored_bg_nbd, fitted.bg_nbd), (stored_gamma_gamma, fitted.gamma_gamma)):
        for name, value in vars(direct).items():
            assert vars(stored)[name] == pytest.approx(value, rel=1e-6), name
    assert len(mart) == len(expected) == buyers
    assert list(mart["member_id"]) == list(expected["customer_id"])
    for column in ("probability_alive", "expected_purchases", "expected_average_order_value"):
        np.testing.assert_allclose(mart[column].to_numpy(float), expected[column].to_numpy(), rtol=1e-6, err_msg=column)
    np.testing.assert_allclose(
        mart["predicted_value"].to_numpy(float), expected["predicted_value"].to_numpy(), atol=0.006
    )
    band_shares = mart["predicted_value_band"].value_counts(normalize=True)
    print(f"band shares: {band_shares.to_dict()}")
    assert band_shares["high"] == pytest.approx(0.2, abs=0.01) and band_shares["medium"] == pytest.approx(0.3, abs=0.01)
    # the planted churners are told apart in the warehouse too
    frame = _planted_groups(small_raw, mart)
    repeat = frame["frequency"] > 0
    auc = _auc(
        frame.loc[frame["is_churned"] & repeat, "probability_alive"].to_numpy(),
        frame.loc[frame["is_steady"] & repeat, "probability_alive"].to_numpy(),
    )
    assert auc >= 0.8
