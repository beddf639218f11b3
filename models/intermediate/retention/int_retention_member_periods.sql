{#- What each member did in each cohort period (var cohort_grain) up to as_of_date: purchases and
    their net amount (the project's purchase definition, D3) and any member activity. -#}
with

orders as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

daily_activity as (
    select * from {{ ref('int_member_days_as_of_date') }}
),

purchases as (
    select
        member_id,
        {{ retention_period_start('order_date') }} as period_start_date,
        count(*) as purchases,
        sum(net_amount) as net_amount
    from orders
    group by member_id, {{ retention_period_start('order_date') }}
),

active_periods as (
    select distinct
        member_id,
        {{ retention_period_start('activity_date') }} as period_start_date
    from daily_activity
    where is_active
),

member_periods as (
    select
        member_id,
        period_start_date
    from purchases
    union
    select
        member_id,
        period_start_date
    from active_periods
),

final as (
    select
        member_periods.member_id,
        coalesce(purchases.purchases, 0) as purchases,
        cast(coalesce(purchases.net_amount, 0) as {{ type_amount() }}) as net_amount,
        coalesce(purchases.purchases, 0) > 0 as has_purchase,
        (coalesce(purchases.purchases, 0) > 0 or active_periods.member_id is not null) as is_active,
        member_periods.period_start_date
    from member_periods
    left join purchases
        on
            member_periods.member_id = purchases.member_id
            and member_periods.period_start_date = purchases.period_start_date
    left join active_periods
        on
            member_periods.member_id = active_periods.member_id
            and member_periods.period_start_date = active_periods.period_start_date
)

select * from final
