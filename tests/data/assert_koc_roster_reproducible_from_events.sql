-- Replaying fct_koc_level_events gives the roster: for every KOC and period, the last event
-- at or before the period has the roster's level and status, and each event starts from the
-- state the previous one left (the chain has no gaps). Entered is the first event.
with

roster as (
    select
        koc_member_id,
        period_index,
        koc_level,
        koc_status
    from {{ ref('fct_koc_roster_monthly') }}
),

events as (
    select
        koc_member_id,
        event_type,
        from_level,
        to_level,
        from_status,
        to_status,
        period_index,
        event_sequence,
        row_number() over (
            partition by koc_member_id order by period_index, event_sequence
        ) as event_order
    from {{ ref('fct_koc_level_events') }}
),

replayed as (
    select
        roster.koc_member_id,
        roster.period_index,
        roster.koc_level,
        roster.koc_status,
        max(events.event_order) as last_event_order
    from roster
    left join events
        on roster.koc_member_id = events.koc_member_id and roster.period_index >= events.period_index
    group by roster.koc_member_id, roster.period_index, roster.koc_level, roster.koc_status
),

state_mismatches as (
    select
        replayed.koc_member_id,
        replayed.period_index,
        'state differs from the replayed events' as problem
    from replayed
    left join events
        on
            replayed.koc_member_id = events.koc_member_id
            and replayed.last_event_order = events.event_order
    where
        events.koc_member_id is null
        or events.to_level != replayed.koc_level
        or events.to_status != replayed.koc_status
),

chain_breaks as (
    select
        events.koc_member_id,
        events.period_index,
        'event does not start where the previous one ended' as problem
    from events
    left join events as previous
        on
            events.koc_member_id = previous.koc_member_id
            and events.event_order = previous.event_order + 1
    where
        (events.event_order = 1 and events.event_type != 'entered')
        or (events.event_order > 1 and events.event_type = 'entered')
        or (
            events.event_order > 1
            and (events.from_level != previous.to_level or events.from_status != previous.to_status)
        )
)

select * from state_mismatches
union all
select * from chain_breaks
