{#- The purchases (orders counting as a purchase, decision D3) placed on or before as_of_date,
    with as_of_date on every row: the one place that cuts the order history at the as-of date. -#}
with

orders as (
    select * from {{ ref('int_orders_sequenced').include(database=False) }}
),

as_of as (
    select * from {{ ref('int_as_of_date').include(database=False) }}
),

final as (
    select
        orders.*,
        as_of.as_of_date
    from orders
    cross join as_of
    where orders.is_purchase and orders.order_date <= as_of.as_of_date
)

-- every column of the source passes through, so the column count is the source's
select * from final  -- noqa: AM04
