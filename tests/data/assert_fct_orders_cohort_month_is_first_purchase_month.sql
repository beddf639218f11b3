-- cohort_month is the month of the member's first purchase, on every order of that member.
with

orders as (
    select * from {{ ref('fct_orders') }}
),

first_purchase as (
    select
        member_id,
        min(ordered_at) as first_purchase_at
    from orders
    where is_purchase
    group by member_id
)

select orders.order_id
from orders
left join first_purchase on orders.member_id = first_purchase.member_id
where
    orders.cohort_month is distinct from
    cast({{ dbt.date_trunc('month', 'first_purchase.first_purchase_at') }} as date)
