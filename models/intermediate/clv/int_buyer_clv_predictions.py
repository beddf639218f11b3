"""Per buyer as of as_of_date: P(alive), expected purchases, expected spend per purchase and the
discounted predicted value, from the parameters in int_clv_fitted_parameters (decision D75)."""

from loyalty_warehouse import clv


def model(dbt, session):
    dbt.config(materialized="table")
    prediction_days = float(dbt.config.get("clv_prediction_days"))
    horizon_days = float(dbt.config.get("clv_horizon_days"))
    annual_discount_rate = float(dbt.config.get("clv_annual_discount_rate"))
    summary = dbt.ref("int_buyer_purchase_summary").order("member_id").df()
    bg_nbd, gamma_gamma = clv.parameters_from_rows(dbt.ref("int_clv_fitted_parameters").df())
    predictions = clv.predict(
        bg_nbd,
        gamma_gamma,
        summary.rename(columns={"member_id": "customer_id"}),
        prediction_days,
        horizon_days,
        annual_discount_rate,
    )
    return predictions.rename(columns={"customer_id": "member_id"})
