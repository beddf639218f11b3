{%- set columns = raw_contract_columns('raw_interactions') -%}
{%- set checks = id_checks('event_key', 'event_id') + member_checks() + [
    {'reason': 'missing_value', 'when': 'occurred_at is null', 'message': "'occurred_at is null'"},
] + timestamp_checks('occurred_at') + [
    {'reason': 'missing_value', 'when': 'event_type_key is null', 'message': "'event_type is null or blank'"},
    {'reason': 'unknown_enum', 'when': 'known_event_type is null',
     'message': "'event_type ''' || " ~ as_text('event_type') ~ " || ''' is not in ref_event_types'"},
    unknown_enum_check([
        ('platform', 'enum_platform'), ('campaign_type', 'enum_campaign_type'), ('message_type', 'enum_message_type'),
    ]),
    {'reason': 'self_referral',
     'when': "event_type_key = 'referral_registered' and " ~ clean_text('related_member_id') ~ ' = member_key',
     'message': "'member ' || member_key || ' registered a referral of itself'"},
    {'reason': 'out_of_range',
     'when': "(event_type_key = 'nps_response' and (score < 0 or score > 10))"
        ~ " or (event_type_key = 'service_rating' and (score < 1 or score > 5))",
     'message': "event_type_key || ' score ' || " ~ as_text('score') ~ " || ' is outside its scale (NPS 0-10, service rating 1-5)'"},
    {'reason': 'negative_amount', 'when': "event_type_key = 'points_earn' and points < 0",
     'message': "'points_earn of ' || " ~ as_text('points') ~ " || ' points: earned points cannot be negative'"},
    {'reason': 'absurd_amount', 'when': 'abs(points) > ' ~ var('dq_max_points_per_event'),
     'message': "'an event moving ' || " ~ as_text('points') ~ " || ' points is above dq_max_points_per_event ("
        ~ var('dq_max_points_per_event') ~ ")'"},
] -%}

with

-- exact replays collapse here; raw_rows_accounted_for counts them
distinct_rows as (
    {{ distinct_raw_rows('raw_interactions', columns) }}
),

keyed as (
    select
        distinct_rows.*,
        {{ clean_text('event_id') }} as event_key,
        {{ clean_text('member_id') }} as member_key,
        {{ clean_enum('event_type') }} as event_type_key,
        count(*) over (partition by {{ clean_text('event_id') }}) as rows_with_key
    from distinct_rows
),

members as (
    {{ verdict_per_key('qrn_raw__members', 'member_key') }}
),

prepared as (
    select
        keyed.*,
        members.member_key as member_in_raw,
        members.quarantine_reason as member_quarantine_reason,
        event_types.event_type as known_event_type,
        enum_platform.enum_value as enum_platform_value,
        enum_campaign_type.enum_value as enum_campaign_type_value,
        enum_message_type.enum_value as enum_message_type_value
    from keyed
    left join members
        on keyed.member_key = members.member_key
    left join {{ ref('ref_event_types') }} as event_types
        on keyed.event_type_key = event_types.event_type
    {{ enum_join('platform', clean_enum('keyed.platform'), 'enum_platform') }}
    {{ enum_join('campaign_type', clean_enum('keyed.campaign_type'), 'enum_campaign_type') }}
    {{ enum_join('message_type', clean_enum('keyed.message_type'), 'enum_message_type') }}
),

final as (
    {{ quarantine_output(columns, 'event_key', checks) }}
)

select * from final
