-- Valid transitions only (spec DQ-Q10, DQ-Q11): blacklisted and graduated are permanent, so
-- nothing happens after them and every later roster period keeps that status; no upgrade
-- while blacklisted; an elimination always lands on level new.
with

events as (
    select * from {{ ref('fct_koc_level_events') }}
),

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

terminal as (
    select
        koc_member_id,
        to_status as terminal_status,
        period_index,
        event_sequence
    from events
    where event_type in ('blacklisted', 'graduated')
),

events_after_terminal as (
    select
        events.koc_member_id,
        events.period_index,
        'event after ' || terminal.terminal_status as problem
    from events
    inner join terminal
        on
            events.koc_member_id = terminal.koc_member_id
            and (
                events.period_index > terminal.period_index
                or (events.period_index = terminal.period_index and events.event_sequence > terminal.event_sequence)
            )
),

status_not_kept as (
    select
        roster.koc_member_id,
        roster.period_index,
        'status changed after ' || terminal.terminal_status as problem
    from roster
    inner join terminal
        on roster.koc_member_id = terminal.koc_member_id and roster.period_index >= terminal.period_index
    where roster.koc_status != terminal.terminal_status
),

bad_events as (
    select
        koc_member_id,
        period_index,
        event_type || ' with an invalid state' as problem
    from events
    where
        (event_type = 'upgraded' and from_status in ('blacklisted', 'graduated'))
        or (event_type = 'eliminated' and to_level != 'new')
)

select * from events_after_terminal
union all
select * from status_not_kept
union all
select * from bad_events
