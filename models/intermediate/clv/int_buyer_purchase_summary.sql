{#- The BG/NBD and Gamma-Gamma inputs per buyer, with the papers' definitions (decision D76):
    all purchases of a member on one day are one transaction; frequency = purchase days after
    the first; recency and T = days from the first purchase day to the last one and to
    as_of_date (weeks = days / 7); monetary value = mean net amount per repeat purchase day. -#}
with

orders as (
    select * from {{ ref('int_orders_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

purchase_days as (
    select
        orders.member_id,
        sum(orders.net_amount) as net_amount,
        orders.order_date as purchase_date
    from orders
    cross join as_of
    where orders.is_purchase and orders.order_date <= as_of.as_of_date
    group by orders.member_id, orders.order_date
),

buyers as (
    select
        member_id,
        count(*) as purchase_days,
        sum(net_amount) as net_amount,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date
    from purchase_days
    group by member_id
),

measured as (
    select
        buyers.member_id,
        buyers.purchase_days - 1 as frequency,
        {{ dbt.datediff('buyers.first_purchase_date', 'buyers.last_purchase_date', 'day') }}
            as first_to_last_purchase_days,
        {{ dbt.datediff('buyers.first_purchase_date', 'as_of.as_of_date', 'day') }}
            as first_purchase_to_as_of_days,
        first_days.net_amount as first_purchase_day_net_amount,
        buyers.net_amount - first_days.net_amount as repeat_net_amount,
        as_of.as_of_date,
        buyers.first_purchase_date,
        buyers.last_purchase_date
    from buyers
    cross join as_of
    inner join purchase_days as first_days
        on
            buyers.member_id = first_days.member_id
            and buyers.first_purchase_date = first_days.purchase_date
),

final as (
    select
        member_id,
        frequency,
        first_to_last_purchase_days,
        first_purchase_to_as_of_days,
        cast(first_to_last_purchase_days as {{ type_double() }}) / 7 as recency_weeks,
        cast(first_purchase_to_as_of_days as {{ type_double() }}) / 7 as t_weeks,
        -- decimal(18, 2) on every engine (PostgreSQL's sum keeps no scale, decision D50)
        cast(first_purchase_day_net_amount as {{ type_amount() }}) as first_purchase_day_net_amount,
        cast(repeat_net_amount as {{ type_amount() }}) as repeat_net_amount,
        case
            when frequency > 0 then cast(repeat_net_amount as {{ type_double() }}) / frequency
        end as monetary_value,
        as_of_date,
        first_purchase_date,
        last_purchase_date
    from measured
)

select * from final
