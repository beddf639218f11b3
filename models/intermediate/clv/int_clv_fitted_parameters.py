"""BG/NBD and Gamma-Gamma fitted on every buyer's purchase summary as of as_of_date.

A dbt Python model: dbt-duckdb runs it in the dbt process with the project's own fitting
module (loyalty_warehouse.clv). Disabled on other engines (decision D75).
"""

from loyalty_warehouse import clv


def model(dbt, session):
    dbt.config(materialized="table")
    min_repeat_buyers = int(dbt.config.get("clv_min_repeat_buyers"))
    # sorted, so the same data gives bit-identical fits (incremental runs equal full refreshes)
    summary = dbt.ref("int_buyer_purchase_summary").order("member_id").df()
    if summary.empty:
        raise clv.ClvError("int_buyer_purchase_summary has no buyer: there is no purchase on or before as_of_date")
    try:
        fitted = clv.fit(summary.rename(columns={"member_id": "customer_id"}), min_repeat_buyers)
    except clv.ClvError as exc:
        raise clv.ClvError(
            f"int_clv_fitted_parameters (var clv_min_repeat_buyers = {min_repeat_buyers}): {exc}; "
            "or set the var clv_enabled: false to build without predicted customer value"
        ) from exc
    parameters = fitted.parameter_rows()
    parameters["as_of_date"] = summary["as_of_date"].iloc[0]
    return parameters
