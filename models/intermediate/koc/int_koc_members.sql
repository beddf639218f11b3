{#- Who is a KOC and when: entry by the first all-category share (spec C09 rule 1),
    the permanent blacklist (rule 5) and graduation (C13), each with its evidence. -#}
with

participations as (
    select * from {{ ref('int_koc_participations') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

members as (
    select * from {{ ref('stg_raw__members') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- the entry ticket, from the participations table or, without it, from the join events
share_joins as (
    select
        member_id,
        campaign_id,
        participation_id as entry_reference,
        joined_at
    from participations
    where campaign_type = 'all_category_share'
    union all
    select
        interactions.member_id,
        interactions.campaign_id,
        interactions.event_id as entry_reference,
        interactions.occurred_at as joined_at
    from interactions
    where interactions.event_type = 'koc_campaign_join' and interactions.campaign_type = 'all_category_share'
),

entries as (
    select
        member_id,
        campaign_id as entry_campaign_id,
        entry_reference,
        joined_at as koc_since_at,
        row_number() over (partition by member_id order by joined_at, entry_reference) as entry_rank
    from share_joins
),

graduation_signals as (
    select
        members.member_id,
        members.relationship_end_reason as graduation_reason,
        members.relationship_ended_at as signal_at
    from members
    cross join as_of
    where
        members.relationship_end_reason in ('asset_sold', 'asset_traded_in')
        and members.relationship_ended_at < {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }}
    union all
    select
        interactions.member_id,
        interactions.event_type as graduation_reason,
        interactions.occurred_at as signal_at
    from interactions
    where interactions.event_type in ('farewell_post', 'graduation')
),

graduations as (
    select
        member_id,
        graduation_reason,
        signal_at as graduated_at,
        row_number() over (partition by member_id order by signal_at, graduation_reason) as signal_rank
    from graduation_signals
),

kocs as (
    select
        entries.member_id as koc_member_id,
        entries.entry_campaign_id,
        entries.entry_reference,
        graduations.graduation_reason as graduation_trigger,
        -- the business reason when the member record gives one, else the signal itself
        case
            when graduations.member_id is not null
                then coalesce(members.relationship_end_reason, graduations.graduation_reason)
        end as graduation_reason,
        entries.koc_since_at,
        graduations.graduated_at
    from entries
    left join graduations
        on entries.member_id = graduations.member_id and graduations.signal_rank = 1
    left join members
        on
            graduations.member_id = members.member_id
            and members.relationship_end_reason in ('asset_sold', 'asset_traded_in')
    where
        entries.entry_rank = 1
        -- someone who left before joining the programme never becomes a KOC
        and (graduations.graduated_at is null or graduations.graduated_at > entries.koc_since_at)
),

blacklist_candidates as (
    select
        participations.member_id,
        participations.participation_id,
        participations.campaign_id,
        participations.feedback_issue,
        participations.blacklist_at,
        row_number() over (
            partition by participations.member_id
            order by participations.blacklist_at, participations.participation_id
        ) as blacklist_rank
    from participations
    inner join kocs on participations.member_id = kocs.koc_member_id
    cross join as_of
    where
        participations.blacklist_at is not null
        and participations.joined_at >= kocs.koc_since_at
        and participations.blacklist_at < {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }}
),

final as (
    select
        kocs.koc_member_id,
        kocs.entry_campaign_id,
        kocs.entry_reference,
        blacklist_candidates.participation_id as blacklist_participation_id,
        blacklist_candidates.campaign_id as blacklist_campaign_id,
        blacklist_candidates.feedback_issue as blacklist_reason,
        kocs.graduation_trigger,
        kocs.graduation_reason,
        kocs.koc_since_at,
        blacklist_candidates.blacklist_at as blacklisted_at,
        kocs.graduated_at
    from kocs
    left join blacklist_candidates
        on kocs.koc_member_id = blacklist_candidates.member_id and blacklist_candidates.blacklist_rank = 1
)

select * from final
