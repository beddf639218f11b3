{%- set window_days = var('rfm_window_days') -%}
{%- set in_window = 'orders.order_date >= as_of.window_start_date' -%}
with

orders as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

segments as (
    select * from {{ ref('ref_rfm_segments') }}
),

as_of as (
    select
        as_of_date,
        {{ dbt.dateadd('day', -(window_days - 1), 'as_of_date') }} as window_start_date
    from {{ ref('int_as_of_date') }}
),

buyers as (
    select
        orders.member_id,
        {{ sum_if(in_window, '1') }} as frequency,
        cast({{ sum_if(in_window, 'orders.net_amount') }} as {{ type_amount() }}) as monetary,
        max(orders.order_date) as last_purchase_date
    from orders
    cross join as_of
    group by orders.member_id
),

measured as (
    select
        buyers.member_id,
        {{ dbt.datediff('buyers.last_purchase_date', 'as_of.as_of_date', 'day') }}
            as recency_days,
        buyers.frequency,
        buyers.monetary,
        as_of.as_of_date,
        buyers.last_purchase_date
    from buyers
    cross join as_of
),

scored as (
    {{ rfm_scored('measured', 'as_of_date') }}
),

final as (
    select
        scored.member_id,
        {{ dbt.concat([
            "cast(scored.r_score as " ~ dbt.type_string() ~ ")",
            "cast(scored.f_score as " ~ dbt.type_string() ~ ")",
            "cast(scored.m_score as " ~ dbt.type_string() ~ ")",
        ]) }} as rfm_code,
        segments.rfm_segment,
        segments.segment_label_zh,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        {{ window_days }} as rfm_window_days,
        scored.is_recency_high,
        scored.is_frequency_high,
        scored.is_monetary_high,
        scored.as_of_date,
        scored.last_purchase_date
    from scored
    left join segments
        on
            scored.is_recency_high = segments.is_recency_high
            and scored.is_frequency_high = segments.is_frequency_high
            and scored.is_monetary_high = segments.is_monetary_high
)

{{ select_declared_types('final') }}
