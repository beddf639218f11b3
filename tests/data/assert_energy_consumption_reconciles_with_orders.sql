-- Every member-month with a purchase on or before as_of_date has an energy row whose
-- purchases and net amount match fct_orders, and consumption_pts is the floor of that
-- net amount times points_per_currency_unit.
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

monthly_orders as (
    select
        orders.member_id,
        orders.order_month,
        count(*) as purchases,
        sum(orders.net_amount) as net_amount
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.is_purchase and orders.order_date <= as_of.as_of_date
    group by orders.member_id, orders.order_month
),

energy as (
    select * from {{ ref('fct_energy_points') }}
    where purchases > 0
)

select
    coalesce(monthly_orders.member_id, energy.member_id) as member_id,
    coalesce(monthly_orders.order_month, energy.activity_month) as activity_month,
    monthly_orders.net_amount as order_net_amount,
    energy.net_amount as energy_net_amount,
    energy.consumption_pts
from monthly_orders
full outer join energy
    on
        monthly_orders.member_id = energy.member_id
        and monthly_orders.order_month = energy.activity_month
where
    monthly_orders.member_id is null
    or energy.member_id is null
    or monthly_orders.purchases != energy.purchases
    or monthly_orders.net_amount != energy.net_amount
    or energy.consumption_pts
    != floor(monthly_orders.net_amount * cast({{ var('points_per_currency_unit') }} as {{ dbt.type_numeric() }}))
