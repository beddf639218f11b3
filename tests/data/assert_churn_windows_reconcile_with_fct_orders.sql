-- The window totals of fct_churn_risk add up to the purchases of fct_orders in the same date
-- ranges, counted here independently of the model.
with

churn_risk as (
    select * from {{ ref('fct_churn_risk') }}
),

windows as (
    select distinct
        as_of_date,
        current_window_start_date,
        previous_window_start_date
    from churn_risk
),

orders as (
    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join windows
    where
        orders.is_purchase
        and orders.order_date >= windows.previous_window_start_date
        and orders.order_date <= windows.as_of_date
),

expected as (
    select
        {{ sum_if('orders.order_date >= windows.current_window_start_date', '1') }} as purchases_current_window,
        {{ sum_if('orders.order_date < windows.current_window_start_date', '1') }} as purchases_previous_window,
        {{ sum_if('orders.order_date >= windows.current_window_start_date', 'orders.net_amount') }}
            as net_amount_current_window,
        {{ sum_if('orders.order_date < windows.current_window_start_date', 'orders.net_amount') }}
            as net_amount_previous_window
    from orders
    cross join windows
),

actual as (
    select
        sum(purchases_current_window) as purchases_current_window,
        sum(purchases_previous_window) as purchases_previous_window,
        sum(net_amount_current_window) as net_amount_current_window,
        sum(net_amount_previous_window) as net_amount_previous_window
    from churn_risk
),

compared as (
    select
        actual.purchases_current_window as actual_purchases_current_window,
        expected.purchases_current_window as expected_purchases_current_window,
        actual.purchases_previous_window as actual_purchases_previous_window,
        expected.purchases_previous_window as expected_purchases_previous_window,
        actual.net_amount_current_window as actual_net_amount_current_window,
        expected.net_amount_current_window as expected_net_amount_current_window,
        actual.net_amount_previous_window as actual_net_amount_previous_window,
        expected.net_amount_previous_window as expected_net_amount_previous_window,
        (select count(*) from windows) as snapshot_count
    from actual
    cross join expected
)

select *
from compared
where
    snapshot_count != 1
    or actual_purchases_current_window != expected_purchases_current_window
    or actual_purchases_previous_window != expected_purchases_previous_window
    or actual_net_amount_current_window != expected_net_amount_current_window
    or actual_net_amount_previous_window != expected_net_amount_previous_window
