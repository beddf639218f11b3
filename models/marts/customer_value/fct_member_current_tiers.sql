-- One row per member: the current RFM segment, pyramid tier and membership level,
-- the columns the snap_member_tiers snapshot tracks over time.
with

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
        levels.member_id,
        rfm.rfm_segment,
        pyramid.kox_tier,
        levels.member_level,
        levels.as_of_date
    from levels
    left join rfm on levels.member_id = rfm.member_id
    left join pyramid on levels.member_id = pyramid.member_id
)

{{ select_declared_types('final') }}
