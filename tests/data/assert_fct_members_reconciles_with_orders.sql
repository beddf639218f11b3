-- Member totals reconcile with the orders: the sum of net_amount_lifetime and of
-- purchases_lifetime equal the purchases on or before as_of_date in fct_orders.
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

from_orders as (
    select
        count(*) as purchases,
        sum(orders.net_amount) as net_amount
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.is_purchase and orders.order_date <= as_of.as_of_date
),

from_members as (
    select
        sum(purchases_lifetime) as purchases,
        sum(net_amount_lifetime) as net_amount
    from {{ ref('fct_members') }}
)

select
    from_orders.purchases as order_purchases,
    from_members.purchases as member_purchases,
    from_orders.net_amount as order_net_amount,
    from_members.net_amount as member_net_amount
from from_orders
cross join from_members
where
    from_orders.purchases != from_members.purchases
    or abs(from_orders.net_amount - from_members.net_amount) > 0.005
