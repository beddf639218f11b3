with

rfm as (
    select * from {{ ref('fct_member_rfm') }}
),

segments as (
    select * from {{ ref('ref_rfm_segments') }}
),

per_segment as (
    select
        rfm_segment,
        count(*) as members,
        sum(monetary) as net_amount,
        avg(recency_days) as average_recency_days,
        avg(frequency) as average_frequency,
        avg(cast(monetary as {{ type_double() }})) as average_monetary
    from rfm
    group by rfm_segment
),

totals as (
    select
        count(*) as members,
        sum(monetary) as net_amount,
        max(as_of_date) as as_of_date
    from rfm
),

final as (
    select
        segments.rfm_segment,
        segments.segment_label_zh,
        segments.recommended_action,
        coalesce(per_segment.members, 0) as members,
        coalesce(per_segment.members, 0) * 1.0 / nullif(totals.members, 0) as member_share,
        coalesce(per_segment.net_amount, 0) as net_amount,
        -- floating point on every engine (Spark's decimal division rounds)
        cast(coalesce(per_segment.net_amount, 0) as {{ type_double() }}) / nullif(totals.net_amount, 0)
            as net_amount_share,
        per_segment.average_recency_days,
        per_segment.average_frequency,
        per_segment.average_monetary,
        totals.as_of_date
    from segments
    cross join totals
    left join per_segment on segments.rfm_segment = per_segment.rfm_segment
)

{{ select_declared_types('final') }}
