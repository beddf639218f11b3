-- Review campaigns (new-product reviews, evergreen experiences) are for important KOCs (spec DQ-Q06),
-- and a blacklisted KOC may never join one again (DQ-Q09). These check what the brand's community team
-- did, not the warehouse's logic (a blacklisting is absorbing whatever is joined later), so they warn:
-- the failing rows are the invitations to look into.
{{ config(severity='warn') }}

with

reviews as (
    select
        participation_id,
        campaign_id,
        member_id,
        joined_at
    from {{ ref('int_koc_participations') }}
    where campaign_type in ('new_product_review', 'evergreen_experience')
),

events as (
    select
        koc_member_id,
        event_at,
        event_sequence,
        to_level,
        to_status
    from {{ ref('fct_koc_level_events') }}
),

-- the KOC's level and status when it joined
state_at_join as (
    {{ koc_state_at('reviews', 'participation_id', 'member_id', 'joined_at') }}
),

checked as (
    select
        reviews.participation_id,
        reviews.campaign_id,
        reviews.member_id,
        reviews.joined_at,
        state_at_join.to_level as level_at_join,
        state_at_join.to_status as status_at_join,
        case
            when state_at_join.to_status = 'blacklisted' then 'joined_after_blacklisting'
            when state_at_join.to_status = 'graduated' then 'joined_after_graduation'
            when state_at_join.to_level is null then 'not_a_koc_yet'
            when state_at_join.to_level != 'important' then 'not_important_at_join'
        end as rule_broken
    from reviews
    left join state_at_join on reviews.participation_id = state_at_join.row_key
)

select *
from checked
where rule_broken is not null
