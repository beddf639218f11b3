{#- Every time a member took part in a campaign: campaign-tagged interaction events and KOC
    campaign participations, up to as_of_date. -#}
with

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

participations as (
    select * from {{ ref('stg_raw__koc_participations') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

touches as (
    select
        interactions.event_id as touch_id,
        interactions.member_id,
        interactions.campaign_id,
        'interaction' as touch_source,
        interactions.occurred_at as touched_at
    from interactions
    where interactions.campaign_id is not null
    union all
    select
        participations.participation_id as touch_id,
        participations.member_id,
        participations.campaign_id,
        'koc_participation' as touch_source,
        participations.joined_at as touched_at
    from participations
),

final as (
    select
        touches.touch_id,
        touches.member_id,
        touches.campaign_id,
        touches.touch_source,
        touches.touched_at
    from touches
    cross join as_of
    where cast(touches.touched_at as date) <= as_of.as_of_date
)

select * from final
