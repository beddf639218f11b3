-- Every KOC entered through an all-category share joined on or before koc_since (spec DQ-Q02),
-- checked against the staged participations and koc_campaign_join events.
with

roster as (
    select distinct
        koc_member_id,
        koc_since_date
    from {{ ref('fct_koc_roster_monthly') }}
),

share_joins as (
    select
        participations.member_id,
        cast(participations.joined_at as date) as joined_date
    from {{ ref('stg_raw__koc_participations') }} as participations
    inner join {{ ref('stg_raw__campaigns') }} as campaigns
        on participations.campaign_id = campaigns.campaign_id
    where campaigns.campaign_type = 'all_category_share'
    union all
    select
        member_id,
        event_date as joined_date
    from {{ ref('stg_raw__interactions') }}
    where event_type = 'koc_campaign_join' and campaign_type = 'all_category_share'
)

select roster.koc_member_id
from roster
where not exists (
    select 1
    from share_joins
    where share_joins.member_id = roster.koc_member_id and share_joins.joined_date <= roster.koc_since_date
)
