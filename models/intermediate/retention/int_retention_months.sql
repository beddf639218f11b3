{#- The calendar months of the retention KPIs: from the month of the first order or registration
    to the month of as_of_date; the as-of month ends on as_of_date. -#}
with

orders as (
    select * from {{ ref('int_orders_sequenced') }}
),

members as (
    select * from {{ ref('stg_raw__members') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_dates as (
    select min(order_date) as first_date
    from orders
    union all
    select min(cast(registered_at as date)) as first_date
    from members
),

bounds as (
    select
        min(first_dates.first_date) as first_date,
        max(as_of.as_of_date) as as_of_date
    from first_dates
    cross join as_of
    having min(first_dates.first_date) <= max(as_of.as_of_date)
),

months as (
    {{ month_spine('bounds', 'first_date', 'as_of_date') }}
),

final as (
    select
        months.month_start_date,
        case
            when {{ last_day_of_month('months.month_start_date') }} < as_of.as_of_date
                then {{ last_day_of_month('months.month_start_date') }}
            else as_of.as_of_date
        end as month_end_date,
        {{ last_day_of_month('months.month_start_date') }} <= as_of.as_of_date as is_complete_month,
        as_of.as_of_date
    from (select month_start as month_start_date from months) as months
    cross join as_of
)

select * from final
