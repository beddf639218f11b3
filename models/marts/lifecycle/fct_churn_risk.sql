{#- Member churn warning, grace period and churn-risk score (spec C12, member-level part).
    Windows of lookback_days days, both ends included, relative to an evaluation day d:
      current window  = (d - lookback_days, d]
      previous window = (d - 2 * lookback_days, d - lookback_days]
    A warning is evaluated for every day from the member's last purchase to as_of_date, so the
    start of the current run of warnings (first_warning_date) is reproducible from the data. -#}
{%- set weights = validate_weights('churn_risk_weights', ['recency', 'frequency_drop', 'monetary_drop']) -%}
{%- set lookback_days = var('churn_warning_lookback_days') -%}
{%- set drop_pct = var('churn_warning_spend_drop_pct') -%}
{%- set grace_days = var('churn_grace_days') -%}
{%- set recency_cap_days = var('lifecycle_dormant_days') -%}
{%- set clv_fitted = target.type == 'duckdb' and var('clv_enabled') -%}
{%- if lookback_days is not integer or lookback_days < 1 -%}
    {{ exceptions.raise_compiler_error(
        "var 'churn_warning_lookback_days' must be a whole number of days >= 1, got " ~ lookback_days) }}
{%- endif -%}
{%- if drop_pct is not number or drop_pct <= 0 or drop_pct > 1 -%}
    {{ exceptions.raise_compiler_error(
        "var 'churn_warning_spend_drop_pct' must be a share in (0, 1], got " ~ drop_pct) }}
{%- endif -%}
{%- if grace_days is not integer or grace_days < 0 -%}
    {{ exceptions.raise_compiler_error(
        "var 'churn_grace_days' must be a whole number of days >= 0, got " ~ grace_days) }}
{%- endif -%}
{%- if recency_cap_days is not integer or recency_cap_days < 1 -%}
    {{ exceptions.raise_compiler_error(
        "var 'lifecycle_dormant_days' must be a whole number of days >= 1, got " ~ recency_cap_days) }}
{%- endif -%}
with

members as (
    select * from {{ ref('fct_members') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

-- offsets 1 .. 2 x lookback_days: a warning needs a purchase in the previous window, so none
-- can hold more than 2 x lookback_days - 1 days after the last purchase
day_offsets as (
    {{ dbt.generate_series(2 * lookback_days) }}
),

buyers as (
    select
        member_id,
        {{ dbt.datediff('last_purchase_date', 'as_of_date', 'day') }}
            as days_since_last_purchase,
        {{ dbt.datediff('last_active_date', 'as_of_date', 'day') }}
            as days_since_last_activity,
        as_of_date,
        last_purchase_date,
        last_active_date
    from members
    where purchases_lifetime > 0
),

purchase_days as (
    select
        orders.member_id,
        count(*) as purchases,
        sum(orders.net_amount) as net_amount,
        orders.order_date
    from orders
    inner join buyers on orders.member_id = buyers.member_id
    where
        orders.is_purchase
        and orders.order_date <= buyers.as_of_date
        and orders.order_date > {{ dbt.dateadd('day', -4 * lookback_days, 'buyers.as_of_date') }}
    group by orders.member_id, orders.order_date
),

-- every day from the last purchase to as_of_date, for members who purchased in the last
-- 2 x lookback_days days (everyone else has empty windows, hence no warning)
evaluation_days as (
    select
        buyers.member_id,
        buyers.as_of_date,
        cast({{ dbt.dateadd('day', '-(day_offsets.generated_number - 1)', 'buyers.as_of_date') }} as date)
            as evaluation_date
    from buyers
    cross join day_offsets
    where
        day_offsets.generated_number - 1 <= buyers.days_since_last_purchase
        and buyers.days_since_last_purchase < {{ 2 * lookback_days }}
),

windows as (
    select
        evaluation_days.member_id,
        evaluation_days.as_of_date,
        evaluation_days.evaluation_date,
        {{ sum_if(
            'purchase_days.order_date > ' ~ dbt.dateadd('day', -lookback_days, 'evaluation_days.evaluation_date'),
            'purchase_days.purchases') }} as purchases_current_window,
        {{ sum_if(
            'purchase_days.order_date <= ' ~ dbt.dateadd('day', -lookback_days, 'evaluation_days.evaluation_date'),
            'purchase_days.purchases') }} as purchases_previous_window,
        {{ sum_if(
            'purchase_days.order_date > ' ~ dbt.dateadd('day', -lookback_days, 'evaluation_days.evaluation_date'),
            'purchase_days.net_amount') }} as net_amount_current_window,
        {{ sum_if(
            'purchase_days.order_date <= ' ~ dbt.dateadd('day', -lookback_days, 'evaluation_days.evaluation_date'),
            'purchase_days.net_amount') }} as net_amount_previous_window
    from evaluation_days
    left join purchase_days
        on
            evaluation_days.member_id = purchase_days.member_id
            and evaluation_days.evaluation_date >= purchase_days.order_date
            and {{ dbt.dateadd('day', -2 * lookback_days, 'evaluation_days.evaluation_date') }}
            < purchase_days.order_date
    group by evaluation_days.member_id, evaluation_days.as_of_date, evaluation_days.evaluation_date
),

warnings as (
    select
        *,
        purchases_current_window < purchases_previous_window as has_low_frequency_warning,
        (
            net_amount_previous_window > 0
            and net_amount_current_window <= (1 - {{ drop_pct }}) * net_amount_previous_window
        ) as has_spend_drop_warning
    from windows
),

-- the last day without a warning between the last purchase and as_of_date; the current run
-- of warnings starts the day after it (or on the last purchase date when there is none)
warning_runs as (
    select
        member_id,
        max(
            case when not (has_low_frequency_warning or has_spend_drop_warning) then evaluation_date end
        ) as last_clear_date
    from warnings
    group by member_id
),

as_of_warnings as (
    select *
    from warnings
    where evaluation_date = as_of_date
),

as_of_windows as (
    select
        buyers.member_id,
        coalesce(as_of_warnings.purchases_current_window, 0) as purchases_current_window,
        coalesce(as_of_warnings.purchases_previous_window, 0) as purchases_previous_window,
        coalesce(as_of_warnings.net_amount_current_window, 0) as net_amount_current_window,
        coalesce(as_of_warnings.net_amount_previous_window, 0) as net_amount_previous_window,
        coalesce(as_of_warnings.has_low_frequency_warning, false) as has_low_frequency_warning,
        coalesce(as_of_warnings.has_spend_drop_warning, false) as has_spend_drop_warning
    from buyers
    left join as_of_warnings on buyers.member_id = as_of_warnings.member_id
),

components as (
    select
        buyers.member_id,
        as_of_windows.purchases_current_window,
        as_of_windows.purchases_previous_window,
        as_of_windows.net_amount_current_window,
        as_of_windows.net_amount_previous_window,
        buyers.days_since_last_purchase,
        buyers.days_since_last_activity,
        round(
            cast(
                100 * cast(least(buyers.days_since_last_activity, {{ recency_cap_days }}) as {{ type_double() }})
                / {{ recency_cap_days }}
                as {{ dbt.type_numeric() }}
            ),
            2
        ) as recency_component,
        case
            when as_of_windows.purchases_previous_window > 0
                then round(
                    cast(
                        100 * greatest(
                            0,
                            1 - cast(as_of_windows.purchases_current_window as {{ type_double() }})
                            / as_of_windows.purchases_previous_window
                        )
                        as {{ dbt.type_numeric() }}
                    ),
                    2
                )
            else 0
        end as frequency_drop_component,
        case
            when as_of_windows.net_amount_previous_window > 0
                then round(
                    cast(
                        100 * greatest(
                            0,
                            1 - cast(as_of_windows.net_amount_current_window as {{ type_double() }})
                            / cast(as_of_windows.net_amount_previous_window as {{ type_double() }})
                        )
                        as {{ dbt.type_numeric() }}
                    ),
                    2
                )
            else 0
        end as monetary_drop_component,
        as_of_windows.has_low_frequency_warning,
        as_of_windows.has_spend_drop_warning,
        as_of_windows.has_low_frequency_warning or as_of_windows.has_spend_drop_warning as is_potential_churner,
        buyers.as_of_date,
        buyers.last_purchase_date,
        buyers.last_active_date,
        case
            when as_of_windows.has_low_frequency_warning or as_of_windows.has_spend_drop_warning
                then coalesce(
                    cast({{ dbt.dateadd('day', 1, 'warning_runs.last_clear_date') }} as date),
                    buyers.last_purchase_date
                )
        end as first_warning_date
    from buyers
    inner join as_of_windows on buyers.member_id = as_of_windows.member_id
    left join warning_runs on buyers.member_id = warning_runs.member_id
),

-- BG/NBD P(alive) beside the rule-based score (decision D80): fitted on DuckDB only
-- (D75), so null on other engines and with clv_enabled false (no prediction rows)
clv_predictions as (
    {%- if clv_fitted %}
        select
            member_id,
            probability_alive
        from {{ ref('int_buyer_clv_predictions') }}
    {%- else %}
        select
            member_id,
            cast(null as {{ type_double() }}) as probability_alive
        from components
        where 1 = 0
    {%- endif %}
),

with_probability_alive as (
    select
        components.*,
        clv_predictions.probability_alive
    from components
    left join clv_predictions on components.member_id = clv_predictions.member_id
),

final as (
    select
        member_id,
        purchases_current_window,
        purchases_previous_window,
        cast(net_amount_current_window as {{ type_amount() }}) as net_amount_current_window,
        cast(net_amount_previous_window as {{ type_amount() }}) as net_amount_previous_window,
        days_since_last_purchase,
        days_since_last_activity,
        cast(recency_component as {{ type_score() }}) as recency_component,
        cast(frequency_drop_component as {{ type_score() }}) as frequency_drop_component,
        cast(monetary_drop_component as {{ type_score() }}) as monetary_drop_component,
        {{ weights['recency'] }} as recency_weight,
        {{ weights['frequency_drop'] }} as frequency_drop_weight,
        {{ weights['monetary_drop'] }} as monetary_drop_weight,
        cast(round(
            {{ weights['recency'] }} * recency_component
            + {{ weights['frequency_drop'] }} * frequency_drop_component
            + {{ weights['monetary_drop'] }} * monetary_drop_component,
            1
        ) as {{ type_score(1) }}) as churn_risk_score,
        has_low_frequency_warning,
        has_spend_drop_warning,
        is_potential_churner,
        coalesce(
            as_of_date > {{ dbt.dateadd('day', grace_days, 'first_warning_date') }}, false
        ) as is_past_grace,
        probability_alive,
        as_of_date,
        cast({{ dbt.dateadd('day', -(lookback_days - 1), 'as_of_date') }} as date) as current_window_start_date,
        cast({{ dbt.dateadd('day', -(2 * lookback_days - 1), 'as_of_date') }} as date) as previous_window_start_date,
        last_purchase_date,
        last_active_date,
        first_warning_date,
        cast({{ dbt.dateadd('day', grace_days, 'first_warning_date') }} as date) as grace_deadline_date
    from with_probability_alive
)

{{ select_declared_types('final') }}
