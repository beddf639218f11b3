{#- Monthly retention and repurchase KPIs (domain spec C18). Trailing windows end on the month's
    last day, or on as_of_date in the as-of month. -#}
with

months as (
    select * from {{ ref('int_retention_months') }}
),

orders as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

daily_activity as (
    select * from {{ ref('int_member_daily_activity') }}
),

members as (
    select * from {{ ref('dim_members') }}
),

purchases as (
    select
        orders.member_id,
        orders.purchase_seq,
        orders.purchase_day_seq,
        orders.net_amount,
        orders.order_date
    from orders
),

-- A(m): customers with a purchase in the trailing active window ending at the month end
active_customers as (
    select distinct
        months.month_start_date,
        purchases.member_id
    from months
    inner join purchases
        on
            months.month_end_date >= purchases.order_date
            and purchases.order_date
            > {{ dbt.dateadd('day', -var('retention_active_window_days'), 'months.month_end_date') }}
),

active_counts as (
    select
        month_start_date,
        count(*) as active_customers
    from active_customers
    group by month_start_date
),

churn as (
    select
        months.month_start_date,
        count(*) as previous_active_customers,
        {{ sum_if('current_active.member_id is null', 1) }} as churned_customers
    from months
    inner join active_customers as previous_active
        on previous_active.month_start_date = cast({{ dbt.dateadd('month', -1, 'months.month_start_date') }} as date)
    left join active_customers as current_active
        on
            months.month_start_date = current_active.month_start_date
            and previous_active.member_id = current_active.member_id
    group by months.month_start_date
),

yearly_buyers as (
    select
        months.month_start_date,
        purchases.member_id,
        count(*) as purchases,
        count(distinct purchases.order_date) as purchase_days
    from months
    inner join purchases
        on
            months.month_end_date >= purchases.order_date
            and purchases.order_date
            > {{ dbt.dateadd('day', -var('repurchase_window_days'), 'months.month_end_date') }}
    group by months.month_start_date, purchases.member_id
),

yearly as (
    select
        month_start_date,
        count(*) as window_buyers,
        -- a repeat buyer bought on two or more days of the window (D62)
        {{ sum_if('purchase_days >= 2', 1) }} as window_repeat_buyers,
        sum(purchases) as window_purchases
    from yearly_buyers
    group by month_start_date
),

in_month as (
    select
        months.month_start_date,
        count(distinct purchases.member_id) as buyers,
        count(*) as purchases,
        sum(purchases.net_amount) as net_amount
    from months
    inner join purchases
        on purchases.order_date between months.month_start_date and months.month_end_date
    group by months.month_start_date
),

active_members as (
    select
        months.month_start_date,
        count(distinct daily_activity.member_id) as active_members
    from months
    inner join daily_activity
        on
            daily_activity.activity_date between months.month_start_date and months.month_end_date
            and daily_activity.is_active
    group by months.month_start_date
),

first_buyers as (
    select
        firsts.member_id,
        members.is_referred,
        cast({{ dbt.date_trunc('month', 'firsts.order_date') }} as date) as month_start_date,
        exists(
            select 1
            from purchases as repeats
            where
                repeats.member_id = firsts.member_id
                and repeats.purchase_day_seq = 2
                and repeats.order_date
                <= {{ dbt.dateadd('day', var('repurchase_followup_days'), 'firsts.order_date') }}
        ) as has_followup_repeat
    from purchases as firsts
    left join members on firsts.member_id = members.member_id
    where firsts.purchase_seq = 1
),

new_customers as (
    select
        month_start_date,
        count(*) as new_customers,
        {{ sum_if('has_followup_repeat', 1) }} as new_customers_repeating,
        {{ sum_if('is_referred', 1) }} as referred_new_customers
    from first_buyers
    group by month_start_date
),

final as (
    select
        coalesce(active_counts.active_customers, 0) as active_customers,
        coalesce(churn.previous_active_customers, 0) as previous_active_customers,
        coalesce(churn.churned_customers, 0) as churned_customers,
        cast(1.0 * churn.churned_customers / churn.previous_active_customers as decimal(10, 6))
            as monthly_churn_rate,
        cast(
            1 - cast(1.0 * churn.churned_customers / churn.previous_active_customers as decimal(10, 6))
            as decimal(10, 6)
        ) as monthly_retention_rate,
        coalesce(yearly.window_buyers, 0) as repurchase_window_buyers,
        coalesce(yearly.window_repeat_buyers, 0) as repurchase_window_repeat_buyers,
        cast(1.0 * yearly.window_repeat_buyers / yearly.window_buyers as decimal(10, 6)) as repurchase_rate,
        cast(1.0 * (yearly.window_purchases - yearly.window_buyers) / yearly.window_buyers as decimal(12, 4))
            as avg_annual_repurchase_count,
        coalesce(new_customers.new_customers, 0) as new_customers,
        coalesce(new_customers.new_customers_repeating, 0) as new_customers_repeating,
        cast(1.0 * new_customers.new_customers_repeating / new_customers.new_customers as decimal(10, 6))
            as repeat_purchase_rate,
        cast(1.0 * new_customers.referred_new_customers / new_customers.new_customers as decimal(10, 6))
            as referred_new_customer_share,
        coalesce(in_month.buyers, 0) as buyers,
        coalesce(in_month.purchases, 0) as purchases,
        cast(coalesce(in_month.net_amount, 0) as {{ type_amount() }}) as net_amount,
        coalesce(active_members.active_members, 0) as active_members,
        cast(1.0 * in_month.purchases / in_month.buyers as decimal(12, 4)) as purchase_frequency,
        {{ retention_amount_per('in_month.net_amount', 'in_month.purchases') }} as aov,
        {{ retention_amount_per('coalesce(in_month.net_amount, 0)', 'active_members.active_members') }} as arpu,
        months.is_complete_month,
        -- every first buyer of the month has had the whole follow-up window by as_of_date
        {{ dbt.dateadd('day', var('repurchase_followup_days'), 'months.month_end_date') }}
        <= months.as_of_date and months.is_complete_month as is_followup_complete,
        months.month_start_date,
        months.month_end_date,
        months.as_of_date
    from months
    left join active_counts on months.month_start_date = active_counts.month_start_date
    left join churn on months.month_start_date = churn.month_start_date
    left join yearly on months.month_start_date = yearly.month_start_date
    left join new_customers on months.month_start_date = new_customers.month_start_date
    left join in_month on months.month_start_date = in_month.month_start_date
    left join active_members on months.month_start_date = active_members.month_start_date
)

{{ select_declared_types('final') }}
