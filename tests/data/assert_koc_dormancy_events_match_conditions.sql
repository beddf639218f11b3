-- Dormancy states agree with the conditions (spec DQ-Q16, DQ-Q19): going dormant needs the
-- dormancy condition in that period, waking needs the recovery condition against the frozen
-- baseline, a dormant period has its frozen baselines, and roster and dormancy agree.
with

events as (
    select * from {{ ref('fct_koc_level_events') }}
),

dormancy as (
    select * from {{ ref('fct_koc_dormancy') }}
),

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

event_checks as (
    select
        events.koc_member_id,
        events.period_index,
        events.event_type || ' without its condition' as problem
    from events
    inner join dormancy
        on events.koc_member_id = dormancy.koc_member_id and events.period_index = dormancy.period_index
    where
        (events.event_type = 'went_dormant' and not dormancy.meets_dormancy_condition)
        or (events.event_type = 'woken' and not dormancy.meets_recovery_condition)
),

state_checks as (
    select
        dormancy.koc_member_id,
        dormancy.period_index,
        'dormant state inconsistent' as problem
    from dormancy
    inner join roster
        on dormancy.koc_member_id = roster.koc_member_id and dormancy.period_index = roster.period_index
    where
        dormancy.is_dormant != (roster.koc_status = 'dormant')
        or (dormancy.is_dormant and (
            dormancy.frozen_baseline_posts is null or dormancy.frozen_baseline_login_days is null
            or dormancy.frozen_baseline_light_interactions is null
            or dormancy.frozen_baseline_activity_joins is null or dormancy.dormant_since_date is null
        ))
)

select * from event_checks
union all
select * from state_checks
