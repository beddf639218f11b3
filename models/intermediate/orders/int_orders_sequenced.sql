{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
        post_hook="{{ delete_stale_rows('not exists (select 1 from ' ~ ref('stg_raw__orders') ~ ' as staged where staged.order_id = stale.order_id)') }}"
    )
}}

with

orders as (
    select * from {{ ref('stg_raw__orders') }}
    {% if is_incremental() %}
        where
            member_id in ({{ members_with_orders_since_cutoff(ref('stg_raw__orders')) }})
            or member_id in ({{ members_with_changed_orders(ref('stg_raw__orders')) }})
    {% endif %}
),

-- only purchases are sequenced; ties on the timestamp are broken by order_id. Purchase days are
-- numbered too: a repeat purchase is one on a later day than the first (decision D62)
purchases as (
    select
        order_id,
        row_number() over (
            partition by member_id order by ordered_at, order_id
        ) as purchase_seq,
        dense_rank() over (
            partition by member_id order by order_date
        ) as purchase_day_seq,
        lag(ordered_at) over (
            partition by member_id order by ordered_at, order_id
        ) as previous_purchase_at
    from orders
    where is_purchase
),

first_purchases as (
    select
        member_id,
        min(ordered_at) as first_purchase_at
    from orders
    where is_purchase
    group by member_id
),

final as (
    select
        orders.order_id,
        orders.member_id,
        orders.campaign_id,
        orders.status,
        orders.channel,
        orders.first_item_category,
        orders.gross_amount,
        orders.discount_amount,
        orders.paid_amount,
        orders.refund_amount,
        orders.net_amount,
        purchases.purchase_seq,
        purchases.purchase_day_seq,
        {{ dbt.datediff('purchases.previous_purchase_at', 'orders.ordered_at', 'day') }}
            as days_since_previous_purchase,
        orders.is_purchase,
        coalesce(purchases.purchase_seq = 1, false) as is_first_purchase,
        coalesce(purchases.purchase_day_seq >= 2, false) as is_repeat_purchase,
        orders.is_private_domain,
        orders.contains_traffic_product,
        orders.order_date,
        orders.ordered_at,
        purchases.previous_purchase_at,
        first_purchases.first_purchase_at
    from orders
    left join purchases on orders.order_id = purchases.order_id
    left join first_purchases on orders.member_id = first_purchases.member_id
)

select * from final
