-- The tier history's as-of month is computed as of as_of_date with the same rules as the
-- current tables, so every buyer's segment, tier and level must agree with them.
with

history as (
    select history_rows.*
    from {{ ref('fct_member_tier_history') }} as history_rows
    inner join {{ ref('int_tier_evaluation_dates') }} as evaluations
        on history_rows.tier_month = evaluations.month_start
    where evaluations.is_as_of_month
),

current_tiers as (
    select * from {{ ref('fct_member_current_tiers') }}
    where rfm_segment is not null
)

select
    coalesce(history.member_id, current_tiers.member_id) as member_id,
    history.rfm_segment as history_rfm_segment,
    current_tiers.rfm_segment as current_rfm_segment,
    history.kox_tier as history_kox_tier,
    current_tiers.kox_tier as current_kox_tier,
    history.member_level as history_member_level,
    current_tiers.member_level as current_member_level
from history
full outer join current_tiers on history.member_id = current_tiers.member_id
where
    history.member_id is null
    or current_tiers.member_id is null
    or history.rfm_segment != current_tiers.rfm_segment
    or history.kox_tier != current_tiers.kox_tier
    or history.member_level != current_tiers.member_level
