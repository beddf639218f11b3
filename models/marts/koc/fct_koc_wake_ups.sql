{#- Wake-up messages received by dormant KOCs and whether each worked (spec C13,
    wakeup_success_rate): the KOC was dormant when the message arrived (its latest level
    event before it left it dormant), and the message worked when the KOC was woken after it,
    within wakeup_success_periods periods of the message's period. -#}
{%- set success_periods = var('wakeup_success_periods') -%}
with

periods as (
    select * from {{ ref('int_koc_periods') }}
),

events as (
    select * from {{ ref('fct_koc_level_events') }}
),

interactions as (
    select * from {{ ref('stg_raw__interactions') }}
),

wake_up_messages as (
    select
        interactions.event_id as message_event_id,
        interactions.member_id,
        interactions.occurred_at,
        periods.period_index
    from interactions
    inner join periods
        on interactions.event_date between periods.period_start and periods.evaluated_at_date
    where
        interactions.event_type = 'message_received'
        and interactions.message_type = 'wake_up'
),

state_at_message as (
    {{ koc_state_at('wake_up_messages', 'message_event_id', 'member_id', 'occurred_at') }}
),

to_dormant as (
    select wake_up_messages.*
    from wake_up_messages
    inner join state_at_message
        on
            wake_up_messages.message_event_id = state_at_message.row_key
            and state_at_message.to_status = 'dormant'
),

woken as (
    select
        to_dormant.message_event_id,
        min(events.period_index) as woken_period_index
    from to_dormant
    inner join events
        on
            to_dormant.member_id = events.koc_member_id
            and events.event_type = 'woken'
            and to_dormant.occurred_at < events.event_at
    group by to_dormant.message_event_id
),

-- the last period whose evaluation is at its calendar end
last_finished as (
    select max(period_index) as period_index
    from periods
    where evaluated_at_date = period_end
),

final as (
    select
        to_dormant.message_event_id,
        to_dormant.member_id as koc_member_id,
        to_dormant.occurred_at,
        to_dormant.period_index,
        woken.woken_period_index,
        coalesce(woken.woken_period_index <= to_dormant.period_index + {{ success_periods }}, false)
            as is_woken_in_time,
        coalesce(to_dormant.period_index + {{ success_periods }} <= last_finished.period_index, false)
            as is_followup_complete
    from to_dormant
    cross join last_finished
    left join woken on to_dormant.message_event_id = woken.message_event_id
)

{{ select_declared_types('final') }}
