{#- One row per member: the current RFM segment, pyramid tier and membership level, the columns
    the snap_member_tiers snapshot tracks over time. The level comes from the same rule as
    fct_membership_levels (member_level_rank over the member window), applied to fct_members. -#}
with

members as (
    select * from {{ ref('fct_members') }}
),

rfm as (
    select * from {{ ref('fct_member_rfm') }}
),

pyramid as (
    select * from {{ ref('fct_loyalty_pyramid') }}
),

final as (
    select
        members.member_id,
        rfm.rfm_segment,
        pyramid.kox_tier,
        {{ member_level_name(member_level_rank('members.net_amount_in_window', 'members.purchases_in_window')) }}
            as member_level,
        members.as_of_date
    from members
    left join rfm on members.member_id = rfm.member_id
    left join pyramid on members.member_id = pyramid.member_id
)

{{ select_declared_types('final') }}
