{%- set columns = raw_contract_columns('raw_members') -%}
{%- set max_hops = var('dq_referral_loop_max_hops', 10) -%}
{%- set checks = id_checks('member_key', 'member_id') + [
    {'reason': 'missing_value', 'when': 'registered_at is null', 'message': "'registered_at is null'"},
] + timestamp_checks('registered_at') + timestamp_checks('wecom_followed_at') + timestamp_checks('group_joined_at')
  + timestamp_checks('relationship_ended_at') + [
    unknown_enum_check([
        ('acquisition_channel', 'enum_channel'), ('gender', 'enum_gender'),
        ('city_tier', 'enum_city_tier'), ('relationship_end_reason', 'enum_end_reason'),
    ]),
    {'reason': 'self_referral', 'when': 'referrer_key = member_key',
     'message': "'member ' || member_key || ' names itself as its referrer'"},
    {'reason': 'referral_loop', 'when': 'is_in_referral_loop',
     'message': "'member ' || member_key || ' is in a referral loop (its referrer chain returns to it)'"},
    {'reason': 'unknown_referrer', 'when': 'referrer_key is not null and referrer_in_raw is null',
     'message': "'referrer_member_id ' || referrer_key || ' is not in raw_members'"},
] -%}

with

-- exact replays collapse here; raw_rows_accounted_for counts them
distinct_rows as (
    {{ distinct_raw_rows('raw_members', columns) }}
),

keyed as (
    select
        distinct_rows.*,
        {{ clean_text('member_id') }} as member_key,
        {{ clean_text('referrer_member_id') }} as referrer_key,
        count(*) over (partition by {{ clean_text('member_id') }}) as rows_with_key
    from distinct_rows
),

-- one referrer per member id, for following referral chains
links as (
    select
        member_key,
        min(referrer_key) as referrer_key
    from keyed
    where member_key is not null
    group by member_key
),

-- follow each chain up to dq_referral_loop_max_hops steps; a chain that comes back
-- to its start after two or more steps is a loop (one step is a self-referral)
chains as (
    select
        links.member_key,
        case
            {%- for hop in range(2, max_hops + 1) %}
                when hop_{{ hop }}.member_key = links.member_key then true
            {%- endfor %}
            else false
        end as is_in_referral_loop
    -- the joins are generated; the linter cannot follow their rendered layout
    -- noqa: disable=LT02
    from links
    {%- for hop in range(1, max_hops + 1) %}
        {%- set previous = 'links' if hop == 1 else 'hop_' ~ (hop - 1) %}
        left join links as hop_{{ hop }}
            on {{ previous }}.referrer_key = hop_{{ hop }}.member_key
    {%- endfor %}
    -- noqa: enable=LT02
),

prepared as (
    select
        keyed.*,
        referrers.member_key as referrer_in_raw,
        enum_channel.enum_value as enum_channel_value,
        enum_gender.enum_value as enum_gender_value,
        enum_city_tier.enum_value as enum_city_tier_value,
        enum_end_reason.enum_value as enum_end_reason_value,
        coalesce(chains.is_in_referral_loop, false) as is_in_referral_loop
    from keyed
    left join links as referrers
        on keyed.referrer_key = referrers.member_key
    left join chains
        on keyed.member_key = chains.member_key
    {{ enum_join('acquisition_channel', clean_enum('keyed.acquisition_channel'), 'enum_channel') }}
    {{ enum_join('gender', clean_enum('keyed.gender'), 'enum_gender') }}
    {{ enum_join('city_tier', clean_enum('keyed.city_tier'), 'enum_city_tier') }}
    {{ enum_join('relationship_end_reason', clean_enum('keyed.relationship_end_reason'), 'enum_end_reason') }}
),

final as (
    {{ quarantine_output(columns, 'member_key', checks) }}
)

select * from final
