{%- set due_days = var('koc_feedback_due_days') -%}
-- Every blacklisting (spec DQ-Q08) points at a review participation of that KOC whose
-- feedback was missing, late or non-compliant, checked against the staged participations.
with

blacklists as (
    select
        koc_member_id,
        evidence_reference,
        event_at
    from {{ ref('fct_koc_level_events') }}
    where event_type = 'blacklisted'
),

participations as (
    select * from {{ ref('stg_raw__koc_participations') }}
),

campaigns as (
    select * from {{ ref('stg_raw__campaigns') }}
),

checked as (
    select
        blacklists.koc_member_id,
        blacklists.evidence_reference,
        participations.participation_id,
        campaigns.campaign_type,
        participations.product_shipped_at,
        participations.feedback_submitted_at,
        participations.is_feedback_compliant,
        coalesce(
            participations.feedback_due_at,
            {{ dbt.dateadd('day', due_days, 'participations.product_shipped_at') }}
        ) as feedback_due_at
    from blacklists
    left join participations
        on
            blacklists.evidence_reference = participations.participation_id
            and blacklists.koc_member_id = participations.member_id
    left join campaigns on participations.campaign_id = campaigns.campaign_id
)

select *
from checked
where
    participation_id is null
    or campaign_type not in ('new_product_review', 'evergreen_experience')
    or product_shipped_at is null
    or not (
        feedback_submitted_at is null
        or feedback_submitted_at > feedback_due_at
        or is_feedback_compliant = false
    )
