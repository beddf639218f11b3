{#- Canonical lifecycle stage (spec C02), evaluated in the spec's order; the first rule that
    holds wins. "Within N days" means in the trailing N-day window ending on as_of_date, the same
    window as every *_in_window column (decision D62): days since < N.
      prospect: no purchase up to as_of_date
      new:      the first purchase within lifecycle_new_days (days_since_first_purchase < it)
      active:   the last purchase within lifecycle_active_days
      at_risk:  the last purchase within lifecycle_at_risk_days
      dormant:  the last purchase within lifecycle_dormant_days
      churned:  no purchase within lifecycle_dormant_days -#}
{%- set stable_days = var('lifecycle_stable_days') -%}
{%- set stable_min_purchases = var('lifecycle_stable_min_purchases') -%}
with

members as (
    select * from {{ ref('fct_members') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

measured as (
    select
        member_id,
        purchases_lifetime,
        {{ dbt.datediff('first_purchase_date', 'as_of_date', 'day') }}
            as days_since_first_purchase,
        {{ dbt.datediff('last_purchase_date', 'as_of_date', 'day') }}
            as days_since_last_purchase,
        {{ dbt.datediff('last_active_date', 'as_of_date', 'day') }}
            as days_since_last_activity,
        as_of_date,
        cast({{ dbt.dateadd('day', -(stable_days - 1), 'as_of_date') }} as date) as stable_window_start_date,
        first_purchase_date,
        last_purchase_date,
        last_active_date
    from members
),

-- purchases in the trailing lifecycle_stable_days ending on as_of_date, both ends included
stable_window_purchases as (
    select
        measured.member_id,
        count(*) as purchases_in_stable_window
    from measured
    inner join orders on measured.member_id = orders.member_id
    where
        orders.is_purchase
        and orders.order_date >= measured.stable_window_start_date
        and orders.order_date <= measured.as_of_date
    group by measured.member_id
),

staged as (
    select
        measured.*,
        coalesce(stable_window_purchases.purchases_in_stable_window, 0) as purchases_in_stable_window,
        case
            when measured.purchases_lifetime = 0 then 'prospect'
            when measured.days_since_first_purchase < {{ var('lifecycle_new_days') }} then 'new'
            when measured.days_since_last_purchase < {{ var('lifecycle_active_days') }} then 'active'
            when measured.days_since_last_purchase < {{ var('lifecycle_at_risk_days') }} then 'at_risk'
            when measured.days_since_last_purchase < {{ var('lifecycle_dormant_days') }} then 'dormant'
            else 'churned'
        end as lifecycle_stage
    from measured
    left join stable_window_purchases on measured.member_id = stable_window_purchases.member_id
),

final as (
    select
        member_id,
        lifecycle_stage,
        purchases_lifetime,
        purchases_in_stable_window,
        days_since_first_purchase,
        days_since_last_purchase,
        days_since_last_activity,
        (
            lifecycle_stage = 'active'
            and days_since_first_purchase >= {{ stable_days }}
            and purchases_in_stable_window >= {{ stable_min_purchases }}
        ) as is_stable,
        as_of_date,
        first_purchase_date,
        last_purchase_date,
        last_active_date
    from staged
)

{{ select_declared_types('final') }}
