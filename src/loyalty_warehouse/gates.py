"""great-expectations gates: the raw inputs before the build, the marts after it.

Who checks what (so no rule is asserted twice):

- preflight (Python): file-level problems - missing files or columns, types, encoding, malformed lines.
- quarantine models (dbt): each bad row is held back with a reason; dbt tests prove staging is clean
  and that every raw row is accounted for.
- these gates (great-expectations): the *share* of bad rows and the plausibility of the results. A few
  bad rows are quarantined and the build goes on; when more than ``MAX_BAD_SHARE`` of a raw table is
  bad, the export itself is broken and the raw gate stops the build. After the build, the mart gate
  checks that the public tables are not empty, that the quarantine stayed under the same share, and
  that average figures are plausible.

DuckDB data is validated through GE's pandas route (only the columns an expectation needs are loaded);
GE's SQL route against DuckDB mis-evaluates metric expectations. Results are written as GE Data Docs.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import project_vars, quality_report
from .contract import TABLES_BY_NAME
from .db import connect, quote_path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# More bad rows than this share of a raw table means the export is broken, not a few bad rows.
MAX_BAD_SHARE = 0.01
MOSTLY = 1 - MAX_BAD_SHARE


class GateError(Exception):
    """A great-expectations gate failed; the message lists the failed expectations and the Data Docs."""


@dataclass(frozen=True)
class Check:
    """One expectation on one table: ``kind`` is the GE expectation class name."""

    table: str
    kind: str
    column: str | None = None
    kwargs: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.table}: {self.kind}" + (f"({self.column})" if self.column else "")


def _allowed(table: str, column: str) -> list[str]:
    return list(TABLES_BY_NAME[table].column(column).allowed or ())


def _event_types() -> list[str]:
    from . import paths

    lines = (paths.PROJECT_DIR / "seeds" / "ref_event_types.csv").read_text().splitlines()[1:]
    return [line.split(",")[0] for line in lines if line]


def raw_checks() -> list[Check]:
    """Checked on the raw files before any model runs (bad-row share of each required table)."""
    return [
        Check("raw_members", "ExpectColumnValuesToNotBeNull", "member_id", {"mostly": MOSTLY}),
        Check("raw_members", "ExpectColumnProportionOfUniqueValuesToBeBetween", "member_id", {"min_value": MOSTLY}),
        Check("raw_members", "ExpectColumnValuesToNotBeNull", "registered_at", {"mostly": MOSTLY}),
        Check("raw_orders", "ExpectColumnValuesToNotBeNull", "member_id", {"mostly": MOSTLY}),
        Check("raw_orders", "ExpectColumnProportionOfUniqueValuesToBeBetween", "order_id", {"min_value": MOSTLY}),
        Check(
            "raw_orders",
            "ExpectColumnValuesToBeInSet",
            "status",
            {"value_set": _allowed("raw_orders", "status"), "mostly": MOSTLY},
        ),
        Check("raw_orders", "ExpectColumnValuesToBeBetween", "paid_amount", {"min_value": 0, "mostly": MOSTLY}),
        Check("raw_interactions", "ExpectColumnValuesToNotBeNull", "member_id", {"mostly": MOSTLY}),
        Check("raw_interactions", "ExpectColumnProportionOfUniqueValuesToBeBetween", "event_id", {"min_value": MOSTLY}),
        Check(
            "raw_interactions",
            "ExpectColumnValuesToBeInSet",
            "event_type",
            {"value_set": _event_types(), "mostly": MOSTLY},
        ),
    ]


def mart_checks(dbt_vars: dict | None = None) -> list[Check]:
    """Checked on the built warehouse before it is published; the plausible average order is a pair of
    vars in the brand's currency (dq_order_net_amount_mean_min / _max)."""
    settings = project_vars.effective(dbt_vars)
    public = [
        "member_facts.dim_members",
        "member_facts.fct_members",
        "member_facts.fct_orders",
        "customer_value.fct_member_rfm",
    ]
    checks = [Check(table, "ExpectTableRowCountToBeBetween", None, {"min_value": 1}) for table in public]
    checks += [
        Check(f"quarantine.qrn_raw__{name}", "ExpectColumnValuesToBeNull", "quarantine_reason", {"mostly": MOSTLY})
        for name in ("members", "orders", "interactions")
    ]
    low, high = settings["dq_order_net_amount_mean_min"], settings["dq_order_net_amount_mean_max"]
    checks.append(
        Check(
            "member_facts.fct_orders",
            "ExpectColumnMeanToBeBetween",
            "net_amount",
            {"min_value": low, "max_value": high},
        )
    )
    return checks


@dataclass
class GateResult:
    suite: str
    success: bool
    failed: list[str]
    docs_index: Path | None
    outcomes: list[quality_report.CheckOutcome] = field(default_factory=list)


def _quiet() -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _guard_main_module() -> None:
    """great-expectations imports pyspark when it is installed (the Spark lane), and pyspark's
    connect check mistakes a `python -c` run for its own doctests and exits the process with 0."""
    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = "<string>"


def _import_gx():
    """Import great-expectations without pyspark's pandas-version FutureWarning, which is about
    pyspark itself (the Spark lane pins what it needs) and only adds noise to every build."""
    _guard_main_module()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        import great_expectations as gx
    return gx


def _context(docs_dir: Path | None):
    gx = _import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _quiet()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        context.add_data_docs_site(
            site_name="loyalty",
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            },
        )
    return context


def validate_frames(suite: str, checks: list[Check], frames: dict, docs_dir: Path | None = None) -> GateResult:
    """Validate pandas frames (one per table) against ``checks``; write Data Docs into ``docs_dir``."""
    gx = _import_gx()

    context = _context(docs_dir)
    source = context.data_sources.add_pandas(suite)
    failed: list[str] = []
    outcomes: list[quality_report.CheckOutcome] = []
    for table in dict.fromkeys(c.table for c in checks):
        table_checks = [c for c in checks if c.table == table]
        asset = source.add_dataframe_asset(name=table)
        batch = asset.add_batch_definition_whole_dataframe("all")
        expectations = gx.ExpectationSuite(name=f"{suite}.{table}")
        for check in table_checks:
            kwargs = dict(check.kwargs)
            if check.column:
                kwargs["column"] = check.column
            expectations.add_expectation(getattr(gx.expectations, check.kind)(**kwargs))
        expectations = context.suites.add(expectations)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite}.{table}", data=batch, suite=expectations)
        )
        actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs")] if docs_dir is not None else []
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{suite}.{table}", validation_definitions=[definition], actions=actions, result_format="SUMMARY"
            )
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": frames[table]})
        for run in outcome.run_results.values():
            for result in run.results:
                # GE groups results by column, not in the order the expectations were added: name each
                # failure from the result's own configuration, never by position.
                checked = quality_report.outcome_from_result(suite, table, result)
                outcomes.append(checked)
                if not checked.success:
                    failed.append(f"{_check_name(table_checks, checked)} (observed {checked.observed})")
    index = docs_dir / "index.html" if docs_dir is not None else None
    if docs_dir is not None:
        quality_report.record_gate(docs_dir, suite, outcomes)
    return GateResult(suite=suite, success=not failed, failed=failed, docs_index=index, outcomes=outcomes)


def _check_name(table_checks: list[Check], checked: quality_report.CheckOutcome) -> str:
    """The Check an outcome belongs to, by expectation type and column."""
    for check in table_checks:
        if _snake(check.kind) == checked.expectation and check.column == checked.column:
            return check.name
    return f"{checked.table}: {checked.expectation}" + (f"({checked.column})" if checked.column else "")


def _snake(kind: str) -> str:
    """ExpectColumnValuesToNotBeNull -> expect_column_values_to_not_be_null (GE's type name)."""
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in kind).lstrip("_")


def _columns(checks: list[Check], table: str) -> list[str]:
    return sorted({c.column for c in checks if c.table == table and c.column})


def _load(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str], cleaned: dict[str, str] | None = None):
    cleaned = cleaned or {}
    select = (
        ", ".join(f'{cleaned.get(c, chr(34) + c + chr(34))} as "{c}"' for c in columns)
        if columns
        else "1 as row_present"
    )
    return con.execute(f"select {select} from {relation}").df()


def _as_staged(checks: list[Check], table: str) -> dict[str, str]:
    """Raw text columns as staging cleans them (trimmed, blank = missing, enumerations in lower case), so
    the gate judges the values the models will use: `PAID` is the allowed `paid`, not an unknown value."""
    cleaned = {}
    for check in checks:
        if check.table != table or not check.column:
            continue
        if TABLES_BY_NAME[table].column(check.column).sql_type != "varchar":
            continue
        text = f"""nullif(trim(cast("{check.column}" as varchar)), '')"""
        cleaned[check.column] = f"lower({text})" if check.kind == "ExpectColumnValuesToBeInSet" else text
    return cleaned


def check_raw(
    locations: dict[str, str], docs_dir: Path | None = None, row_counts: dict[str, int] | None = None
) -> GateResult:
    """The raw gate: the bad-row share of each raw file that has rows (paths from preflight)."""
    counts = row_counts or {}
    checks = [c for c in raw_checks() if counts.get(c.table, 1) > 0]
    con = connect()
    try:
        frames = {
            t: _load(con, quote_path(locations[t]), _columns(checks, t), _as_staged(checks, t))
            for t in dict.fromkeys(c.table for c in checks)
        }
    finally:
        con.close()
    return validate_frames("raw", checks, frames, docs_dir)


def check_marts(warehouse: Path, docs_dir: Path | None = None, dbt_vars: dict | None = None) -> GateResult:
    """The mart gate, on a built warehouse file (opened read-only)."""
    checks = mart_checks(dbt_vars)
    con = connect(warehouse, read_only=True)
    try:
        frames = {t: _load(con, t, _columns(checks, t)) for t in dict.fromkeys(c.table for c in checks)}
    finally:
        con.close()
    return validate_frames("marts", checks, frames, docs_dir)


def raise_on_failure(result: GateResult) -> None:
    if result.success:
        return
    where = (
        f"; details in {result.docs_index.with_name(quality_report.REPORT_NAME)} (readable offline) and the "
        f"Data Docs {result.docs_index}"
        if result.docs_index
        else ""
    )
    raise GateError(f"great-expectations {result.suite} gate failed: " + "; ".join(result.failed) + where)
