-- DQ-P05: every purchase on or before as_of_date of a member in fct_members has exactly
-- one purchase transaction worth floor(net_amount x points_per_currency_unit), and every
-- purchase transaction belongs to such an order.
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

purchases as (
    select
        orders.order_id,
        orders.member_id,
        orders.net_amount
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    inner join {{ ref('fct_members') }} as members on orders.member_id = members.member_id
    where orders.is_purchase and orders.order_date <= as_of.as_of_date
),

purchase_txns as (
    select
        order_id,
        count(*) as txn_count,
        sum(points) as points
    from {{ ref('fct_points_ledger') }}
    where reason = 'purchase'
    group by order_id
)

select
    coalesce(purchases.order_id, purchase_txns.order_id) as order_id,
    purchases.net_amount,
    purchase_txns.txn_count,
    purchase_txns.points
from purchases
full outer join purchase_txns on purchases.order_id = purchase_txns.order_id
where
    purchases.order_id is null
    or purchase_txns.order_id is null
    or purchase_txns.txn_count != 1
    or purchase_txns.points
    != floor(purchases.net_amount * cast({{ var('points_per_currency_unit') }} as {{ dbt.type_numeric() }}))
