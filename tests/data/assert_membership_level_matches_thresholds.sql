{%- set window_days = var('member_window_days') -%}
{%- set gmv_thresholds = var('member_level_gmv_thresholds') -%}
{%- set order_thresholds = var('member_level_order_thresholds') -%}
-- DQ-P03: member_level and previous_level are the highest level whose spend OR purchase
-- threshold is met, recomputed from fct_orders independently of the model: because both
-- threshold lists increase, the highest level met is the larger of "thresholds met by spend"
-- and "thresholds met by purchases".
with

levels as (
    select * from {{ ref('fct_membership_levels') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

snapshots as (
    select
        levels.member_id,
        'current' as snapshot_kind,
        levels.member_level as reported_level,
        levels.as_of_date as snapshot_date
    from levels

    union all

    select
        levels.member_id,
        'previous' as snapshot_kind,
        levels.previous_level as reported_level,
        levels.previous_level_date as snapshot_date
    from levels
    where levels.previous_level is not null
),

measured as (
    select
        snapshots.member_id,
        snapshots.snapshot_kind,
        snapshots.reported_level,
        coalesce(sum(orders.net_amount), 0) as net_amount,
        count(orders.order_id) as purchases
    from snapshots
    left join orders
        on
            snapshots.member_id = orders.member_id
            and orders.is_purchase
            and snapshots.snapshot_date >= orders.order_date
            and {{ dbt.dateadd('day', -window_days, 'snapshots.snapshot_date') }} < orders.order_date
    group by snapshots.member_id, snapshots.snapshot_kind, snapshots.reported_level
),

recomputed as (
    select
        member_id,
        snapshot_kind,
        reported_level,
        net_amount,
        purchases,
        greatest(
            {% for threshold in gmv_thresholds -%}
                case when net_amount >= {{ threshold }} then 1 else 0 end{{ " + " if not loop.last }}
            {%- endfor %},
            {% for threshold in order_thresholds -%}
                case when purchases >= {{ threshold }} then 1 else 0 end{{ " + " if not loop.last }}
            {%- endfor %}
        ) as expected_rank
    from measured
)

select *
from recomputed
where reported_level != {{ dbt.concat(["'L'", 'cast(expected_rank as ' ~ dbt.type_string() ~ ')']) }}
