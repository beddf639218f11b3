"""Predictive customer value: BG/NBD for purchase counts and dropout, Gamma-Gamma for spend.

Implemented from the papers' formulas:

- BG/NBD: Fader, Hardie and Lee (2005), "Counting your customers the easy way: an alternative
  to the Pareto/NBD model", Marketing Science 24(2). While alive, a customer buys as a Poisson
  process with rate lambda ~ Gamma(shape r, rate alpha); after every purchase they drop out
  with probability p ~ Beta(a, b). Likelihood (their eq. 6), P(alive) (eq. 13) and the
  conditional expected number of purchases (eq. 10).
- Gamma-Gamma: Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves for customer
  base analysis", Journal of Marketing Research 42(4), following Colombo and Jiang (1999). The
  value of each purchase is Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers; fitted on
  the mean spend of customers with repeat purchases; the conditional expected spend per
  purchase is a weighted mean of the population mean and the customer's own mean.

Time is measured in weeks (days / 7) as in the papers, so the fitted alpha is in weeks.
Everything is vectorised over customers; the BG/NBD fit groups customers with the same
(frequency, recency, T), which makes a fit on a million buyers a matter of seconds.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.0
# Discounting steps: a month of 365 / 12 days (the last step ends at the horizon).
DISCOUNT_STEP_DAYS = DAYS_PER_YEAR / 12
# Fewer buyers with a repeat purchase than this and the fits are mostly noise.
DEFAULT_MIN_REPEAT_BUYERS = 20
# A fitted parameter outside this range means the likelihood has no interior optimum
# (e.g. nobody seems to drop out, so b runs off to infinity).
PARAMETER_BOUNDS = (1e-6, 1e6)
# a + b beyond this: the likelihood keeps rising as a and b grow together, i.e. every buyer seems
# to have the same dropout probability a / (a + b) and the Beta has no interior optimum.
MAX_DROPOUT_CONCENTRATION = 1e4
# A fit has converged when every gradient component of the mean log-likelihood is below this.
GRADIENT_TOLERANCE = 1e-6

SUMMARY_COLUMNS = (
    "customer_id",
    "frequency",
    "recency_weeks",
    "t_weeks",
    "monetary_value",
    "first_purchase_date",
    "last_purchase_date",
)


class ClvError(ValueError):
    """Input the models cannot be fitted on, or a fit that failed; the message says what to do."""

    def __init__(self, message: str, last_params: np.ndarray | None = None) -> None:
        super().__init__(message)
        self.last_params = last_params  # where a failed fit stopped, if it got that far


@dataclass(frozen=True)
class BgNbdParameters:
    """BG/NBD: purchase rate ~ Gamma(r, alpha) (alpha in weeks), dropout p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParameters:
    """Gamma-Gamma: spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across customers."""

    p: float
    q: float
    gamma: float

    @property
    def population_mean_value(self) -> float:
        """Mean spend per purchase across customers: p * gamma / (q - 1)."""
        return self.p * self.gamma / (self.q - 1)


@dataclass(frozen=True)
class FitReport:
    """How a fit went: customers used, maximised log-likelihood, optimiser iterations, seconds."""

    model: str
    customers: int
    log_likelihood: float
    iterations: int
    seconds: float


# --------------------------------------------------------------------------- summary


def summarise_transactions(
    transactions: pd.DataFrame,
    calibration_end: dt.date | str,
    customer_column: str = "customer_id",
    date_column: str = "purchase_date",
    amount_column: str = "amount",
) -> pd.DataFrame:
    """One row per customer with a purchase on or before ``calibration_end``.

    The papers' definitions: all purchases of a customer on one day are one transaction;
    ``frequency`` = transaction days after the first; ``recency_weeks`` and ``t_weeks`` = days
    from the first purchase to the last purchase and to ``calibration_end``, divided by 7;
    ``monetary_value`` = mean spend per repeat transaction day (the first day excluded), NaN
    for customers without a repeat transaction.
    """
    for column in (customer_column, date_column, amount_column):
        if column not in transactions.columns:
            raise ClvError(
                f"transactions have no column {column!r} (columns: {list(transactions.columns)}): "
                "pass customer_column / date_column / amount_column naming the right ones"
            )
    end = pd.Timestamp(calibration_end).normalize()
    days = pd.to_datetime(transactions[date_column]).dt.tz_localize(None).dt.normalize()
    frame = pd.DataFrame(
        {"customer_id": transactions[customer_column].to_numpy(), "day": days, "amount": transactions[amount_column]}
    )
    missing = frame["amount"].isna() | frame["day"].isna() | frame["customer_id"].isna()
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise ClvError(
            f"transaction row {row} has no {customer_column}, {date_column} or {amount_column}: "
            "drop or fix rows with missing values before summarising"
        )
    frame = frame[frame["day"] <= end]
    if frame.empty:
        raise ClvError(f"no transaction on or before the calibration end {end.date()}: choose a later calibration end")
    daily = frame.groupby(["customer_id", "day"], sort=True, as_index=False)["amount"].sum()
    per_customer = daily.groupby("customer_id", sort=True)
    first_day = per_customer["day"].min()
    last_day = per_customer["day"].max()
    transaction_days = per_customer["day"].count()
    total_amount = per_customer["amount"].sum()
    first_day_amount = per_customer["amount"].first()  # days are sorted within a customer
    frequency = transaction_days - 1
    repeat_amount = total_amount - first_day_amount
    monetary = (repeat_amount / frequency.where(frequency > 0)).astype(float)
    summary = pd.DataFrame(
        {
            "customer_id": first_day.index.to_numpy(),
            "frequency": frequency.to_numpy().astype(np.int64),
            "recency_weeks": ((last_day - first_day).dt.days / DAYS_PER_WEEK).to_numpy(),
            "t_weeks": ((end - first_day).dt.days / DAYS_PER_WEEK).to_numpy(),
            "monetary_value": monetary.to_numpy(),
            "first_purchase_date": first_day.dt.date.to_numpy(),
            "last_purchase_date": last_day.dt.date.to_numpy(),
        }
    )
    return summary


def check_summary(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> None:
    """Raise ClvError naming the first customer whose (frequency, recency, T) is impossible."""
    problems = (
        ("frequency must be a whole number >= 0", (frequency < 0) | (frequency != np.floor(frequency))),
        ("recency must be >= 0", recency < 0),
        ("recency must be <= T (the last purchase after the calibration end?)", recency > age),
        ("recency must be 0 when frequency is 0", (frequency == 0) & (recency != 0)),
        ("values must be finite", ~(np.isfinite(frequency) & np.isfinite(recency) & np.isfinite(age))),
    )
    for message, bad in problems:
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ClvError(
                f"customer summary row {row}: {message} (frequency={frequency[row]}, recency={recency[row]}, "
                f"T={age[row]}): build the summary with summarise_transactions or fix that row"
            )


# --------------------------------------------------------------------------- BG/NBD


def bg_nbd_log_likelihood(
    params: BgNbdParameters, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """Log-likelihood of each customer's (x = frequency, t_x = recency, T = age); eq. 6 of the paper."""
    return _bg_nbd_terms(params, np.asarray(frequency, float), np.asarray(recency, float), np.asarray(age, float))[0]


class _PerFrequency:
    """Evaluates a function of the frequency once per distinct frequency and spreads the result
    back to every customer: frequencies are whole numbers with few distinct values, and the
    log-gamma and digamma terms of the likelihoods are most of a fit's cost."""

    def __init__(self, frequency: np.ndarray) -> None:
        self.levels, self.index = np.unique(frequency, return_inverse=True)

    def __call__(self, function, offset: float = 0.0, factor: float = 1.0) -> np.ndarray:
        """function(factor * frequency + offset) for every customer."""
        return function(factor * self.levels + offset)[self.index]


def _bg_nbd_terms(
    params: BgNbdParameters,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
    per_frequency: _PerFrequency | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer log-likelihood and its gradient with respect to (log r, log alpha, log a, log b)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    per_frequency = per_frequency or _PerFrequency(frequency)
    has_repeat = frequency > 0
    shape = r + frequency
    # L = Gamma(r+x) alpha^r / Gamma(r) * B(a, b+x) / B(a, b)
    #     * [ (alpha+T)^-(r+x) + [x>0] a / (b+x-1) * (alpha+t_x)^-(r+x) ]
    base = (
        per_frequency(special.gammaln, r)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.gammaln(a + b)
        + per_frequency(special.gammaln, b)
        - special.gammaln(b)
        - per_frequency(special.gammaln, a + b)
    )
    alive_term = -shape * np.log(alpha + age)
    # b + x - 1 > 0 wherever x >= 1; elsewhere the term is absent
    safe_denominator = np.where(has_repeat, b + frequency - 1, 1.0)
    dropout_term = np.where(has_repeat, np.log(a) - np.log(safe_denominator) - shape * np.log(alpha + recency), -np.inf)
    mixture = np.logaddexp(alive_term, dropout_term)
    log_likelihood = base + mixture
    dropout_weight = np.exp(dropout_term - mixture)  # share of the likelihood from "dropped out after t_x"
    alive_weight = 1.0 - dropout_weight

    digamma_ab = special.digamma(a + b)
    digamma_abx = per_frequency(special.digamma, a + b)
    grad_r = (
        per_frequency(special.digamma, r)
        - special.digamma(r)
        + np.log(alpha)
        - alive_weight * np.log(alpha + age)
        - dropout_weight * np.log(alpha + recency)
    )
    grad_alpha = r / alpha - shape * (alive_weight / (alpha + age) + dropout_weight / (alpha + recency))
    grad_a = digamma_ab - digamma_abx + dropout_weight / a
    grad_b = (
        digamma_ab
        + per_frequency(special.digamma, b)
        - special.digamma(b)
        - digamma_abx
        - dropout_weight / safe_denominator
    )
    # chain rule to the log parameters the optimiser works on
    gradient = np.stack([grad_r * r, grad_alpha * alpha, grad_a * a, grad_b * b])
    return log_likelihood, gradient


def _grouped_histories(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distinct (frequency, recency, T) with how many customers share each: the likelihood is a
    sum over customers, and buyers with day-level histories repeat these triples a lot."""
    frame = pd.DataFrame({"frequency": frequency, "recency": recency, "age": age})
    grouped = frame.groupby(["frequency", "recency", "age"], sort=True).size().reset_index(name="customers")
    return (
        grouped["frequency"].to_numpy(float),
        grouped["recency"].to_numpy(float),
        grouped["age"].to_numpy(float),
        grouped["customers"].to_numpy(float),
    )


def fit_bg_nbd(
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
    min_repeat_buyers: int = DEFAULT_MIN_REPEAT_BUYERS,
) -> tuple[BgNbdParameters, FitReport]:
    """Maximum-likelihood r, alpha, a, b from each customer's frequency, recency and T (weeks)."""
    started = time.perf_counter()
    frequency, recency, age = (np.asarray(values, dtype=float) for values in (frequency, recency, age))
    check_summary(frequency, recency, age)
    repeat_buyers = int((frequency > 0).sum())
    if repeat_buyers < min_repeat_buyers:
        raise ClvError(
            f"BG/NBD needs at least {min_repeat_buyers} customers with a repeat purchase day, got {repeat_buyers} "
            f"of {len(frequency)}: use a longer purchase history (a later as-of date) or lower min_repeat_buyers"
        )
    if (age <= 0).all():
        raise ClvError(
            "every customer's T is 0 (first purchase on the calibration end): choose a later calibration end"
        )
    counts = _grouped_histories(frequency, recency, age)
    grouped_frequency, grouped_recency, grouped_age, customers = counts
    total = customers.sum()
    per_frequency = _PerFrequency(grouped_frequency)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = BgNbdParameters(*np.exp(log_params))
        log_likelihood, gradient = _bg_nbd_terms(params, grouped_frequency, grouped_recency, grouped_age, per_frequency)
        # the mean (not the sum) keeps the scale independent of the number of customers
        return -float(customers @ log_likelihood) / total, -(gradient @ customers) / total

    # start from r = a = b = 1 and alpha = the mean T, where the rate is of the right order
    start = np.log([1.0, max(float(np.mean(age)), 1e-3), 1.0, 1.0])
    try:
        params, log_likelihood, iterations = _maximise("BG/NBD", objective, start, ("r", "alpha", "a", "b"))
    except ClvError as exc:
        raise _homogeneous_dropout_error(exc.last_params) or exc from None
    report = FitReport(
        "bg_nbd", len(frequency), float(log_likelihood * total), iterations, time.perf_counter() - started
    )
    return BgNbdParameters(*(float(value) for value in params)), report


def _homogeneous_dropout_error(params: np.ndarray | None) -> ClvError | None:
    """The clearer error for a failed BG/NBD fit whose a and b ran off to infinity together."""
    if params is None or params[2] + params[3] <= MAX_DROPOUT_CONCENTRATION:
        return None
    dropout = params[2] / (params[2] + params[3])
    return ClvError(
        f"BG/NBD cannot be fitted: a and b grow without bound (a={params[2]:.4g}, b={params[3]:.4g}), i.e. every "
        f"buyer seems to drop out after a purchase with the same probability {dropout:.4f}, so the dropout "
        "distribution has no maximum-likelihood estimate; use more buyers or a longer history (in the warehouse: "
        "a later as_of_date, or set the var clv_enabled: false to build without predicted value)"
    )


def probability_alive(
    params: BgNbdParameters, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """P(alive at T | x, t_x, T) = 1 / (1 + [x>0] a / (b+x-1) * ((alpha+T) / (alpha+t_x))^(r+x)); eq. 13."""
    frequency, recency, age = (np.asarray(values, dtype=float) for values in (frequency, recency, age))
    has_repeat = frequency > 0
    safe_denominator = np.where(has_repeat, params.b + frequency - 1, 1.0)
    log_odds_dead = (
        np.log(params.a)
        - np.log(safe_denominator)
        + (params.r + frequency) * (np.log(params.alpha + age) - np.log(params.alpha + recency))
    )
    # x = 0: the customer cannot have dropped out yet (dropout happens only after a purchase)
    return np.where(has_repeat, special.expit(-log_odds_dead), 1.0)


def expected_purchases(
    params: BgNbdParameters,
    horizon_weeks: float | np.ndarray,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """Expected purchases in (T, T + horizon] given (x, t_x, T); eq. 10 of the paper.

    E = P(alive) * (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],
    z = t / (alpha+T+t). The hypergeometric term is evaluated after Euler's transformation,
    (1-z)^(r+x) 2F1(r+x, b+x; c; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z) with c = a+b+x-1,
    whose series stays small for heavy buyers (large x) where the original overflows.
    """
    frequency, recency, age = (np.asarray(values, dtype=float) for values in (frequency, recency, age))
    horizon = np.asarray(horizon_weeks, dtype=float)
    alive = probability_alive(params, frequency, recency, age)
    if horizon.ndim == 0:
        histories = _Histories(frequency, age)
        return alive * histories.spread(_purchases_if_alive(params, horizon, histories.frequency, histories.age))
    return alive * _purchases_if_alive(params, horizon, frequency, age)


def _purchases_if_alive(
    params: BgNbdParameters, horizon_weeks: float | np.ndarray, frequency: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """Eq. 10 without its P(alive) factor: it depends on the history through x and T only."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    if abs(a - 1) < 1e-9:
        raise ClvError("BG/NBD a = 1 exactly makes eq. 10 singular: refit (a fitted a is never exactly 1)")
    c_param = a + b + frequency - 1
    z_value = horizon_weeks / (alpha + age + horizon_weeks)
    transformed = np.power(1 - z_value, a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, c_param, z_value)
    return c_param / (a - 1) * (1 - transformed)


class _Histories:
    """The distinct (frequency, T) pairs of the customers: the hypergeometric function is the cost
    of a prediction, and it needs evaluating once per pair, not per customer."""

    def __init__(self, frequency: np.ndarray, age: np.ndarray) -> None:
        frame = pd.DataFrame({"frequency": frequency, "age": age})
        # groups numbered in order of first appearance, the order drop_duplicates keeps
        self.index = frame.groupby(["frequency", "age"], sort=False).ngroup().to_numpy()
        pairs = frame.drop_duplicates()
        self.frequency, self.age = pairs["frequency"].to_numpy(), pairs["age"].to_numpy()

    def spread(self, per_pair: np.ndarray) -> np.ndarray:
        return per_pair[self.index]


# --------------------------------------------------------------------------- Gamma-Gamma


def gamma_gamma_log_likelihood(
    params: GammaGammaParameters, frequency: np.ndarray, monetary_value: np.ndarray
) -> np.ndarray:
    """Log-likelihood of each repeat customer's mean spend m_x over x repeat transactions."""
    return _gamma_gamma_terms(params, np.asarray(frequency, float), np.asarray(monetary_value, float))[0]


def _gamma_gamma_terms(
    params: GammaGammaParameters,
    frequency: np.ndarray,
    monetary_value: np.ndarray,
    per_frequency: _PerFrequency | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer log-likelihood and gradient with respect to (log p, log q, log gamma).

    The mean of x Gamma(p, nu) values is Gamma(px, nu x); integrating nu ~ Gamma(q, gamma) gives
    f(m_x) = Gamma(px+q) / (Gamma(px) Gamma(q)) * gamma^q * x^(px) * m_x^(px-1) / (gamma + x m_x)^(px+q).
    """
    p, q, gamma = params.p, params.q, params.gamma
    per_frequency = per_frequency or _PerFrequency(frequency)
    px = p * frequency
    total_spend = gamma + frequency * monetary_value
    log_frequency = per_frequency(np.log)
    log_total_spend = np.log(total_spend)
    log_value = np.log(monetary_value)
    log_likelihood = (
        per_frequency(special.gammaln, q, p)
        - per_frequency(special.gammaln, 0.0, p)
        - special.gammaln(q)
        + q * np.log(gamma)
        + px * log_frequency
        + (px - 1) * log_value
        - (px + q) * log_total_spend
    )
    digamma_pxq = per_frequency(special.digamma, q, p)
    grad_p = frequency * (
        digamma_pxq - per_frequency(special.digamma, 0.0, p) + log_frequency + log_value - log_total_spend
    )
    grad_q = digamma_pxq - special.digamma(q) + np.log(gamma) - log_total_spend
    grad_gamma = q / gamma - (px + q) / total_spend
    gradient = np.stack([grad_p * p, grad_q * q, grad_gamma * gamma])
    return log_likelihood, gradient


def fit_gamma_gamma(
    frequency: np.ndarray,
    monetary_value: np.ndarray,
    min_repeat_buyers: int = DEFAULT_MIN_REPEAT_BUYERS,
) -> tuple[GammaGammaParameters, FitReport]:
    """Maximum-likelihood p, q, gamma on the customers with a repeat purchase and a positive mean spend."""
    started = time.perf_counter()
    frequency = np.asarray(frequency, dtype=float)
    monetary_value = np.asarray(monetary_value, dtype=float)
    usable = (frequency > 0) & np.isfinite(monetary_value) & (monetary_value > 0)
    if int(usable.sum()) < min_repeat_buyers:
        raise ClvError(
            f"Gamma-Gamma needs at least {min_repeat_buyers} customers with a repeat purchase and a positive mean "
            f"spend, got {int(usable.sum())} of {len(frequency)}: use a longer purchase history (a later as-of date) "
            "or lower min_repeat_buyers"
        )
    repeat_frequency = frequency[usable]
    repeat_value = monetary_value[usable]
    # monetary values in the hundreds or thousands: fit on a unit scale, then scale gamma back
    scale = float(np.median(repeat_value))
    scaled_value = repeat_value / scale
    per_frequency = _PerFrequency(repeat_frequency)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = GammaGammaParameters(*np.exp(log_params))
        log_likelihood, gradient = _gamma_gamma_terms(params, repeat_frequency, scaled_value, per_frequency)
        return -float(log_likelihood.mean()), -gradient.mean(axis=1)

    start = np.log([1.0, 2.0, 1.0])
    params, _, iterations = _maximise("Gamma-Gamma", objective, start, ("p", "q", "gamma per median spend"))
    fitted = GammaGammaParameters(p=float(params[0]), q=float(params[1]), gamma=float(params[2] * scale))
    if fitted.q <= 1:
        raise ClvError(
            f"Gamma-Gamma fitted q = {fitted.q:.3f} <= 1: the expected spend per purchase is infinite (spend too "
            "heavy-tailed across customers); check the amounts for outliers or use a longer history"
        )
    log_likelihood = float(gamma_gamma_log_likelihood(fitted, repeat_frequency, repeat_value).sum())
    report = FitReport("gamma_gamma", int(usable.sum()), log_likelihood, iterations, time.perf_counter() - started)
    return fitted, report


def expected_average_order_value(
    params: GammaGammaParameters, frequency: np.ndarray, monetary_value: np.ndarray
) -> np.ndarray:
    """E(spend per purchase | x, m_x) = (gamma + x m_x) p / (p x + q - 1): a weighted mean of the
    population mean p gamma / (q - 1) and the customer's own m_x, the weight on m_x growing with x.
    Customers without a repeat purchase (x = 0 or no m_x) get the population mean."""
    frequency = np.asarray(frequency, dtype=float)
    monetary_value = np.asarray(monetary_value, dtype=float)
    has_value = (frequency > 0) & np.isfinite(monetary_value)
    own_spend = np.where(has_value, frequency * np.nan_to_num(monetary_value), 0.0)
    repeats = np.where(has_value, frequency, 0.0)
    return (params.gamma + own_spend) * params.p / (params.p * repeats + params.q - 1)


# --------------------------------------------------------------------------- value


def predicted_customer_value(
    bg_nbd: BgNbdParameters,
    gamma_gamma: GammaGammaParameters,
    summary: pd.DataFrame,
    horizon_days: float,
    annual_discount_rate: float,
) -> np.ndarray:
    """Discounted expected spend over the next ``horizon_days``.

    The horizon is cut into monthly steps of 365/12 days (the last step ends at the horizon).
    Step k contributes (E[purchases by the end of step k] - E[purchases by the end of step k-1])
    x expected spend per purchase / (1 + annual_discount_rate)^(end of step k in years).
    """
    if horizon_days <= 0:
        raise ClvError(f"the value horizon must be > 0 days, got {horizon_days}: set clv_horizon_days")
    if annual_discount_rate < 0:
        raise ClvError(
            f"the annual discount rate must be >= 0, got {annual_discount_rate}: set clv_annual_discount_rate"
        )
    frequency = summary["frequency"].to_numpy(float)
    recency = summary["recency_weeks"].to_numpy(float)
    age = summary["t_weeks"].to_numpy(float)
    steps = int(np.ceil(horizon_days / DISCOUNT_STEP_DAYS - 1e-9))
    step_ends = np.minimum(np.arange(1, steps + 1) * DISCOUNT_STEP_DAYS, horizon_days)
    # E[purchases by t] = P(alive) x f(x, T, t): discount f step by step on the distinct (x, T)
    histories = _Histories(frequency, age)
    discounted_if_alive = np.zeros(len(histories.frequency))
    purchases_so_far = np.zeros(len(histories.frequency))
    for step_end in step_ends:
        purchases_by_end = _purchases_if_alive(bg_nbd, step_end / DAYS_PER_WEEK, histories.frequency, histories.age)
        discount = (1 + annual_discount_rate) ** (step_end / DAYS_PER_YEAR)
        discounted_if_alive += (purchases_by_end - purchases_so_far) / discount
        purchases_so_far = purchases_by_end
    alive = probability_alive(bg_nbd, frequency, recency, age)
    order_value = expected_average_order_value(gamma_gamma, frequency, summary["monetary_value"].to_numpy(float))
    return alive * histories.spread(discounted_if_alive) * order_value


@dataclass(frozen=True)
class ClvFit:
    bg_nbd: BgNbdParameters
    gamma_gamma: GammaGammaParameters
    bg_nbd_report: FitReport
    gamma_gamma_report: FitReport
    # Gamma-Gamma assumes spend is independent of frequency; the paper checks this correlation.
    frequency_value_correlation: float

    def parameter_rows(self) -> pd.DataFrame:
        """One row per model parameter, with the fit it came from."""
        rows = []
        for params, report in ((self.bg_nbd, self.bg_nbd_report), (self.gamma_gamma, self.gamma_gamma_report)):
            for name, value in asdict(params).items():
                rows.append(
                    {
                        "model_name": report.model,
                        "parameter_name": name,
                        "parameter_value": float(value),
                        "customers_fitted": report.customers,
                        "log_likelihood": float(report.log_likelihood),
                        "optimiser_iterations": report.iterations,
                        "fit_seconds": report.seconds,
                        "frequency_value_correlation": (
                            self.frequency_value_correlation if report.model == "gamma_gamma" else None
                        ),
                    }
                )
        return pd.DataFrame(rows)


def fit(summary: pd.DataFrame, min_repeat_buyers: int = DEFAULT_MIN_REPEAT_BUYERS) -> ClvFit:
    """Fit both models on a customer summary (the columns of ``summarise_transactions``)."""
    missing = [column for column in SUMMARY_COLUMNS[1:5] if column not in summary.columns]
    if missing:
        raise ClvError(f"customer summary has no column(s) {missing}: build it with summarise_transactions")
    frequency = summary["frequency"].to_numpy(float)
    monetary = summary["monetary_value"].to_numpy(float)
    bg_nbd, bg_report = fit_bg_nbd(frequency, summary["recency_weeks"], summary["t_weeks"], min_repeat_buyers)
    gamma_gamma, gg_report = fit_gamma_gamma(frequency, monetary, min_repeat_buyers)
    repeat = (frequency > 0) & np.isfinite(monetary)
    correlation = float(np.corrcoef(frequency[repeat], monetary[repeat])[0, 1])
    return ClvFit(bg_nbd, gamma_gamma, bg_report, gg_report, correlation)


def parameters_from_rows(rows: pd.DataFrame) -> tuple[BgNbdParameters, GammaGammaParameters]:
    """The two models' parameters back from ``ClvFit.parameter_rows()`` (e.g. a stored table)."""
    values = {(row.model_name, row.parameter_name): float(row.parameter_value) for row in rows.itertuples()}
    try:
        bg_nbd = BgNbdParameters(*(values[("bg_nbd", name)] for name in ("r", "alpha", "a", "b")))
        gamma_gamma = GammaGammaParameters(*(values[("gamma_gamma", name)] for name in ("p", "q", "gamma")))
    except KeyError as missing:
        raise ClvError(f"parameter table has no row for {missing.args[0]}: refit and store every parameter") from None
    return bg_nbd, gamma_gamma


def predict(
    bg_nbd: BgNbdParameters,
    gamma_gamma: GammaGammaParameters,
    summary: pd.DataFrame,
    prediction_days: float,
    horizon_days: float,
    annual_discount_rate: float,
) -> pd.DataFrame:
    """Per customer: P(alive), expected purchases in the next ``prediction_days``, expected spend
    per purchase and the discounted predicted value over ``horizon_days``."""
    if prediction_days <= 0:
        raise ClvError(f"the prediction window must be > 0 days, got {prediction_days}: set clv_prediction_days")
    frequency = summary["frequency"].to_numpy(float)
    recency = summary["recency_weeks"].to_numpy(float)
    age = summary["t_weeks"].to_numpy(float)
    check_summary(frequency, recency, age)
    return pd.DataFrame(
        {
            "customer_id": summary["customer_id"].to_numpy(),
            "probability_alive": probability_alive(bg_nbd, frequency, recency, age),
            "expected_purchases": expected_purchases(bg_nbd, prediction_days / DAYS_PER_WEEK, frequency, recency, age),
            "expected_average_order_value": expected_average_order_value(
                gamma_gamma, frequency, summary["monetary_value"].to_numpy(float)
            ),
            "predicted_value": predicted_customer_value(
                bg_nbd, gamma_gamma, summary, horizon_days, annual_discount_rate
            ),
        }
    )


# --------------------------------------------------------------------------- optimiser


def _maximise(model: str, objective, start: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, float, int]:
    """Minimise the mean negative log-likelihood over log parameters; return (parameters, mean LL, iterations)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        result = optimize.minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=[(np.log(PARAMETER_BOUNDS[0]), np.log(PARAMETER_BOUNDS[1]))] * len(start),
            options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-10},
        )
        gradient = objective(result.x)[1]
    params = np.exp(result.x)
    described = ", ".join(f"{name}={value:.4g}" for name, value in zip(names, params, strict=False))
    low, high = PARAMETER_BOUNDS
    at_bound = [name for name, value in zip(names, params, strict=False) if not low * 1.01 < value < high / 1.01]
    if at_bound:
        raise ClvError(
            f"{model} fit ran to the edge of the parameter range for {at_bound} ({described}): the data cannot "
            "identify the model (e.g. no sign of dropout or too little variation between customers); use a longer "
            "history or more customers",
            params,
        )
    # L-BFGS-B can stop on a line search failure right at the optimum (ABNORMAL): what counts is
    # a finite likelihood with a vanishing gradient (of the mean log-likelihood per customer)
    converged = np.isfinite(result.fun) and bool(np.all(np.abs(gradient) < GRADIENT_TOLERANCE))
    if not converged:
        raise ClvError(
            f"{model} fit did not converge ({result.message}; last {described}): check the customer summary "
            "(enough repeat buyers, a history long enough to see dropout) and refit",
            params,
        )
    return params, -float(result.fun), int(result.nit)
