"""The project's own data-quality report: one self-contained HTML page, readable with no network.

great-expectations' Data Docs load bootstrap, jQuery and vega from CDNs, so offline their pages are
blank. This report is written beside them (``<docs_dir>/quality_report.html``) from the same gate
results: every expectation with its table, column, parameters, observed value and pass/fail. It has
no script and no external link other than to the Data Docs themselves.

Each gate run stores its outcomes as ``<docs_dir>/quality/<suite>.json``; the page is rendered from
every stored suite, so the raw gate and the mart gate of one build end up on one page.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path

REPORT_NAME = "quality_report.html"
STORE_DIR = "quality"
SUITE_ORDER = ["raw", "marts"]
# How many offending values of a failed expectation to quote.
EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class CheckOutcome:
    """One evaluated expectation, as the report shows it."""

    suite: str
    table: str
    expectation: str  # GE's snake_case type, e.g. expect_column_values_to_not_be_null
    column: str | None
    parameters: dict
    success: bool
    observed: str


def _plain(value: object) -> object:
    """JSON-friendly: numpy scalars to Python numbers, NaN to None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def describe_observed(result: dict, exception: dict | None = None) -> str:
    """What GE measured, in one line: the observed value, or how many rows were unexpected."""
    if exception and exception.get("raised_exception"):
        return f"error: {exception.get('exception_message')}"
    result = _plain(result or {})
    if "observed_value" in result:
        return _number(result["observed_value"])
    if "unexpected_count" in result:
        line = (
            f"{_number(result['unexpected_count'])} of {_number(result.get('element_count', 0))} rows unexpected"
            f" ({_number(result.get('unexpected_percent') or 0.0)} %)"
        )
        examples = list(dict.fromkeys(result.get("partial_unexpected_list") or []))[:EXAMPLES_SHOWN]
        if result["unexpected_count"] and examples:
            line += "; e.g. " + ", ".join("null" if v is None else repr(v) for v in examples)
        return line
    return "(no observed value reported)"


def outcome_from_result(suite: str, table: str, ge_result) -> CheckOutcome:
    """Build an outcome from a GE ExpectationValidationResult, naming the expectation from the
    result's own configuration (GE does not return results in the order they were added)."""
    config = ge_result.expectation_config
    parameters = {k: _plain(v) for k, v in config.kwargs.items() if k not in ("batch_id", "column")}
    exception = ge_result.exception_info if isinstance(ge_result.exception_info, dict) else None
    return CheckOutcome(
        suite=suite,
        table=table,
        expectation=config.type,
        column=config.kwargs.get("column"),
        parameters=parameters,
        success=bool(ge_result.success),
        observed=describe_observed(dict(ge_result.result or {}), exception),
    )


def record_gate(docs_dir: Path, suite: str, outcomes: list[CheckOutcome]) -> Path:
    """Store one gate run's outcomes and re-render the report; returns the report's path."""
    store = docs_dir / STORE_DIR
    store.mkdir(parents=True, exist_ok=True)
    payload = {
        "suite": suite,
        "validated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "success": all(o.success for o in outcomes),
        "outcomes": [asdict(o) for o in outcomes],
    }
    (store / f"{suite}.json").write_text(json.dumps(payload, indent=1, default=str))
    return write_report(docs_dir)


def clear_runs(docs_dir: Path) -> None:
    """Forget earlier gate runs, so the next report shows only the gates that run now."""
    for stored in (docs_dir / STORE_DIR).glob("*.json"):
        stored.unlink()


def load_runs(docs_dir: Path) -> list[dict]:
    runs = [json.loads(path.read_text()) for path in sorted((docs_dir / STORE_DIR).glob("*.json"))]
    rank = {name: index for index, name in enumerate(SUITE_ORDER)}
    return sorted(runs, key=lambda run: (rank.get(run["suite"], len(rank)), run["suite"]))


def write_report(docs_dir: Path) -> Path:
    report = docs_dir / REPORT_NAME
    report.write_text(render_report(load_runs(docs_dir), has_data_docs=(docs_dir / "index.html").exists()))
    return report


# --- HTML -----------------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif; margin: 24px; color: #1a202c; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.summary { font-size: 14px; color: #4a5568; }
.passed { color: #2f855a; font-weight: 600; } .failed { color: #c53030; font-weight: 600; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #d9dee5; padding: 4px 10px; text-align: left; vertical-align: top; }
th { color: #5a6473; }
tr.fail td { background: #fff5f5; }
code { font-size: 12px; }
"""


def _esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _parameters(parameters: dict) -> str:
    shown = []
    for key, value in parameters.items():
        if isinstance(value, list) and len(value) > 8:
            value = value[:8] + [f"... {len(value) - 8} more"]
        shown.append(f"{key}={value}")
    return ", ".join(shown)


def _suite_section(run: dict) -> str:
    outcomes = run["outcomes"]
    passed = sum(1 for o in outcomes if o["success"])
    verdict = '<span class="passed">passed</span>' if run["success"] else '<span class="failed">FAILED</span>'
    rows = []
    for outcome in outcomes:
        result = "PASS" if outcome["success"] else "FAIL"
        rows.append(
            f'<tr class="{"pass" if outcome["success"] else "fail"}" data-suite="{_esc(run["suite"])}" '
            f'data-table="{_esc(outcome["table"])}" data-expectation="{_esc(outcome["expectation"])}" '
            f'data-column="{_esc(outcome["column"])}" data-success="{str(outcome["success"]).lower()}">'
            f"<td>{_esc(outcome['table'])}</td><td><code>{_esc(outcome['expectation'])}</code></td>"
            f"<td>{_esc(outcome['column'] or '(table)')}</td><td>{_esc(_parameters(outcome['parameters']))}</td>"
            f"<td>{_esc(outcome['observed'])}</td>"
            f'<td class="{"passed" if outcome["success"] else "failed"}">{result}</td></tr>'
        )
    return (
        f'<section data-suite="{_esc(run["suite"])}"><h2>{_esc(run["suite"])} gate: {verdict}</h2>'
        f'<p class="summary">{passed} of {len(outcomes)} expectations passed; validated '
        f"{_esc(run['validated_at'])}.</p>"
        "<table><thead><tr><th>table</th><th>expectation</th><th>column</th><th>parameters</th>"
        "<th>observed</th><th>result</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>"
    )


def render_report(runs: list[dict], has_data_docs: bool = True) -> str:
    if runs:
        failed = [run["suite"] for run in runs if not run["success"]]
        overall = (
            f'<p class="summary">Overall: <span class="failed">FAILED</span> ({", ".join(failed)})</p>'
            if failed
            else '<p class="summary">Overall: <span class="passed">every gate passed</span></p>'
        )
    else:
        overall = '<p class="summary">No gate has run yet.</p>'
    data_docs = (
        '<p class="summary">The same results, in great-expectations\' own Data Docs (their pages load '
        'styles and scripts from the internet): <a href="index.html">index.html</a>.</p>'
        if has_data_docs
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data quality report - loyalty-warehouse'
        f"</title><style>{STYLE}</style></head><body><h1>Data quality report</h1>"
        '<p class="summary">The great-expectations gates of the last build or <code>loyalty validate</code>: '
        "the raw gate checks the share of bad rows in each raw file before dbt runs; the mart gate checks the "
        "built warehouse before it is published.</p>"
        + overall
        + data_docs
        + "".join(_suite_section(run) for run in runs)
        + "</body></html>"
    )
