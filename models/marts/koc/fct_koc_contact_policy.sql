{#- The contact policy for each KOC as of the as-of date (spec C13): no generic pushes
    while dormant, and at most one wake-up message per cooldown, on an interest tag the
    member gave. Past messages are counted to check the policy was followed. -#}
{%- set cooldown = var('wakeup_cooldown_days') -%}
with

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

last_period as (
    select max(period_index) as period_index
    from roster
),

latest as (
    select
        roster.koc_member_id,
        roster.koc_level,
        roster.koc_status,
        roster.is_dormant,
        roster.dormant_since_date
    from roster
    inner join last_period on roster.period_index = last_period.period_index
),

interests as (
    select
        interactions.member_id,
        interactions.tag_value,
        row_number() over (
            partition by interactions.member_id order by interactions.occurred_at desc, interactions.event_id desc
        ) as recency_rank
    from interactions
    where interactions.event_type = 'survey_completed' and interactions.tag_key = 'interest'
),

messages as (
    select
        interactions.member_id,
        interactions.message_type,
        interactions.tag_value,
        interactions.event_date,
        interactions.occurred_at,
        row_number() over (
            partition by interactions.member_id, interactions.message_type
            order by interactions.occurred_at desc, interactions.event_id desc
        ) as recency_rank
    from interactions
    where interactions.event_type = 'message_received'
),

message_counts as (
    select
        latest.koc_member_id,
        sum(case
            when
                messages.message_type = 'wake_up'
                and messages.event_date > {{ dbt.dateadd('day', -cooldown, 'as_of.as_of_date') }}
                then 1
            else 0
        end) as wake_ups_in_cooldown,
        sum(case
            when
                messages.message_type = 'generic_notification'
                and latest.is_dormant
                and messages.event_date >= latest.dormant_since_date
                then 1
            else 0
        end) as generic_messages_while_dormant
    from latest
    cross join as_of
    inner join messages on latest.koc_member_id = messages.member_id
    group by latest.koc_member_id
),

final as (
    select
        latest.koc_member_id,
        latest.koc_level,
        latest.koc_status,
        interests.tag_value as interest_tag,
        last_wake_up.tag_value as last_wake_up_tag,
        case
            when latest.is_dormant and last_wake_up.member_id is null and interests.tag_value is not null
                then interests.tag_value
            when
                latest.is_dormant and interests.tag_value is not null
                and last_wake_up.event_date <= {{ dbt.dateadd('day', -cooldown, 'as_of.as_of_date') }}
                then interests.tag_value
        end as recommended_wake_up_tag,
        coalesce(message_counts.wake_ups_in_cooldown, 0) as wake_ups_in_cooldown,
        coalesce(message_counts.generic_messages_while_dormant, 0) as generic_messages_while_dormant,
        {{ dbt.datediff('last_wake_up.event_date', 'as_of.as_of_date', 'day') }}
            as days_since_last_wake_up,
        latest.is_dormant,
        latest.is_dormant as is_generic_suppressed,
        coalesce(
            latest.is_dormant and interests.tag_value is not null
            and (
                last_wake_up.member_id is null
                or last_wake_up.event_date <= {{ dbt.dateadd('day', -cooldown, 'as_of.as_of_date') }}
            ),
            false
        ) as is_wake_up_allowed,
        latest.dormant_since_date,
        cast(last_wake_up.event_date as date) as last_wake_up_date,
        cast(case
            when last_wake_up.member_id is not null
                then {{ dbt.dateadd('day', cooldown, 'last_wake_up.event_date') }}
        end as date) as next_wake_up_allowed_date,
        as_of.as_of_date
    from latest
    cross join as_of
    left join interests on latest.koc_member_id = interests.member_id and interests.recency_rank = 1
    left join messages as last_wake_up
        on
            latest.koc_member_id = last_wake_up.member_id
            and last_wake_up.message_type = 'wake_up'
            and last_wake_up.recency_rank = 1
    left join message_counts on latest.koc_member_id = message_counts.koc_member_id
)

{{ select_declared_types('final') }}
