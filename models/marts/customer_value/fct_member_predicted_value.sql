{#- Predicted customer value per buyer (BG/NBD + Gamma-Gamma, decision D75). DuckDB only:
    the fit is a dbt Python model (disabled on other engines in the YAML). Bands are tie-stable:
    buyers with the same predicted value share a band. -#}
{%- set high_share = var('clv_high_band_share') -%}
{%- set medium_share = var('clv_medium_band_share') -%}
{%- if high_share is not number or medium_share is not number
    or high_share <= 0 or medium_share < 0 or high_share + medium_share > 1 -%}
    {{ exceptions.raise_compiler_error(
        "vars 'clv_high_band_share' and 'clv_medium_band_share' must be shares with high > 0, medium >= 0 "
        ~ "and high + medium <= 1, got " ~ high_share ~ " and " ~ medium_share) }}
{%- endif -%}
with

summaries as (
    select * from {{ ref('int_buyer_purchase_summary') }}
),

predictions as (
    select * from {{ ref('int_buyer_clv_predictions') }}
),

joined as (
    select
        summaries.member_id,
        summaries.frequency,
        summaries.recency_weeks,
        summaries.t_weeks,
        summaries.monetary_value,
        predictions.probability_alive,
        predictions.expected_purchases,
        predictions.expected_average_order_value,
        cast(predictions.predicted_value as {{ type_amount() }}) as predicted_value,
        summaries.as_of_date,
        summaries.first_purchase_date,
        summaries.last_purchase_date
    from summaries
    inner join predictions on summaries.member_id = predictions.member_id
),

ranked as (
    select
        *,
        rank() over (order by predicted_value desc) as predicted_value_rank,
        count(*) over () as buyers
    from joined
),

banded as (
    select
        *,
        case
            when cast(predicted_value_rank - 1 as {{ type_double() }}) / buyers < {{ high_share }}
                then 1
            when cast(predicted_value_rank - 1 as {{ type_double() }}) / buyers < {{ high_share + medium_share }}
                then 2
            else 3
        end as predicted_value_band_order
    from ranked
),

final as (
    select
        member_id,
        case predicted_value_band_order
            when 1 then 'high'
            when 2 then 'medium'
            else 'low'
        end as predicted_value_band,
        frequency,
        recency_weeks,
        t_weeks,
        monetary_value,
        probability_alive,
        expected_purchases,
        expected_average_order_value,
        predicted_value,
        predicted_value_rank,
        predicted_value_band_order,
        {{ var('clv_prediction_days') }} as prediction_days,
        {{ var('clv_horizon_days') }} as horizon_days,
        {{ var('clv_annual_discount_rate') }} as annual_discount_rate,
        frequency > 0 as is_repeat_buyer,
        as_of_date,
        first_purchase_date,
        last_purchase_date
    from banded
)

{{ select_declared_types('final') }}
