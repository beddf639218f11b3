-- One evaluation per calendar month from the first purchase month to the as-of month:
-- the month end, or as_of_date itself for the as-of month.
with

purchases as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

bounds as (
    select
        (select min(purchases.order_date) from purchases) as first_purchase_date,
        as_of.as_of_date
    from as_of
),

months as (
    {{ month_spine('bounds', 'first_purchase_date', 'as_of_date') }}
),

final as (
    select
        months.month_start,
        case
            when {{ last_day_of_month('months.month_start') }} < as_of.as_of_date
                then {{ last_day_of_month('months.month_start') }}
            else as_of.as_of_date
        end as evaluation_date,
        {{ last_day_of_month('months.month_start') }} >= as_of.as_of_date as is_as_of_month
    from months
    cross join as_of
)

select * from final
