{{ config(enabled=target.type == 'duckdb' and var('clv_enabled')) }}
-- fct_churn_risk's probability_alive is the BG/NBD value of fct_member_predicted_value for every
-- buyer both tables hold, and is null only for buyers the predictions do not cover.
with

churn_risk as (
    select * from {{ ref('fct_churn_risk') }}
),

predicted as (
    select * from {{ ref('fct_member_predicted_value') }}
)

select
    churn_risk.member_id,
    churn_risk.probability_alive as churn_risk_probability_alive,
    predicted.probability_alive as predicted_probability_alive
from churn_risk
left join predicted on churn_risk.member_id = predicted.member_id
where
    (predicted.member_id is null and churn_risk.probability_alive is not null)
    or (predicted.member_id is not null and churn_risk.probability_alive is null)
    or abs(churn_risk.probability_alive - predicted.probability_alive) > 1e-12
