-- A view: int_orders_sequenced is the one incremental table of orders; this is its public face.
{{ config(materialized='view') }}

with

orders as (
    select * from {{ ref('int_orders_sequenced').include(database=False) }}
),

final as (
    select
        order_id,
        member_id,
        campaign_id,
        status,
        channel,
        first_item_category,
        gross_amount,
        discount_amount,
        paid_amount,
        refund_amount,
        net_amount,
        purchase_seq,
        purchase_day_seq,
        days_since_previous_purchase,
        is_purchase,
        is_first_purchase,
        is_repeat_purchase,
        is_private_domain,
        contains_traffic_product,
        order_date,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month,
        cast({{ dbt.date_trunc('month', 'first_purchase_at') }} as date) as cohort_month,
        ordered_at,
        previous_purchase_at
    from orders
)

{{ select_declared_types('final') }}
