{%- set columns = raw_contract_columns('raw_members') -%}
{#- Referral chains are followed by pointer doubling: 2^25 steps, more than any brand has members. -#}
{%- set doublings = 25 -%}
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

-- each member's ancestor 2^k steps up the referral chain, for k = 0 .. doublings: a jump of 2^k
-- is two jumps of 2^(k-1); chains that end drop out, so only long chains and loops stay
jumps_0 as (
    select
        member_key,
        referrer_key as ancestor_key
    from links
    where referrer_key is not null
),
{%- for k in range(1, doublings + 1) %}

jumps_{{ k }} as (
    select
        first_half.member_key,
        second_half.ancestor_key
    from jumps_{{ k - 1 }} as first_half
    inner join jumps_{{ k - 1 }} as second_half on first_half.ancestor_key = second_half.member_key
),
{%- endfor %}

-- a walk still going after 2^doublings steps is inside a loop, and every member of a loop is
-- reached that way (longer than one step: a member naming itself is a self-referral)
loop_members as (
    select distinct ancestor_key as member_key
    from jumps_{{ doublings }}
),

prepared as (
    select
        keyed.*,
        referrers.member_key as referrer_in_raw,
        enum_channel.enum_value as enum_channel_value,
        enum_gender.enum_value as enum_gender_value,
        enum_city_tier.enum_value as enum_city_tier_value,
        enum_end_reason.enum_value as enum_end_reason_value,
        loop_members.member_key is not null as is_in_referral_loop
    from keyed
    left join links as referrers
        on keyed.referrer_key = referrers.member_key
    left join loop_members
        on keyed.member_key = loop_members.member_key
    {{ enum_join('acquisition_channel', clean_enum('keyed.acquisition_channel'), 'enum_channel') }}
    {{ enum_join('gender', clean_enum('keyed.gender'), 'enum_gender') }}
    {{ enum_join('city_tier', clean_enum('keyed.city_tier'), 'enum_city_tier') }}
    {{ enum_join('relationship_end_reason', clean_enum('keyed.relationship_end_reason'), 'enum_end_reason') }}
),

verdicts as (
    {{ quarantine_output(columns, 'member_key', checks) }}
),

-- a referrer that is itself held back cannot be named by the members it referred (value rule)
referrer_verdicts as (
    select
        record_key as referrer_key,
        max(quarantine_reason) as referrer_quarantine_reason
    from verdicts
    where record_key is not null
    group by record_key
),

final as (
    select
        verdicts.*,
        {{ cleaning_columns('raw_members') }}
    from verdicts
    left join referrer_verdicts
        on {{ clean_text('verdicts.referrer_member_id') }} = referrer_verdicts.referrer_key
)

select * from final
