-- fct_member_current_tiers carries each member's segment, tier and level exactly as the marts that
-- define them compute it (the level is re-derived there with the same rule, so check it).
with

current_tiers as (
    select * from {{ ref('fct_member_current_tiers') }}
),

levels as (
    select * from {{ ref('fct_membership_levels') }}
),

rfm as (
    select * from {{ ref('fct_member_rfm') }}
),

pyramid as (
    select * from {{ ref('fct_loyalty_pyramid') }}
),

final as (
    select
        coalesce(current_tiers.member_id, levels.member_id) as member_id,
        current_tiers.member_level,
        levels.member_level as expected_member_level,
        current_tiers.rfm_segment,
        rfm.rfm_segment as expected_rfm_segment,
        current_tiers.kox_tier,
        pyramid.kox_tier as expected_kox_tier
    from current_tiers
    full outer join levels on current_tiers.member_id = levels.member_id
    left join rfm on levels.member_id = rfm.member_id
    left join pyramid on levels.member_id = pyramid.member_id
)

select *
from final
where
    member_id is null
    or not coalesce(member_level = expected_member_level, false)
    or coalesce(rfm_segment, '') != coalesce(expected_rfm_segment, '')
    or coalesce(kox_tier, '') != coalesce(expected_kox_tier, '')
