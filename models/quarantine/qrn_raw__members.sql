{%- set columns = raw_contract_columns('raw_members') -%}
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

with recursive

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

-- members whose referral chain ends (no referrer, or one not in raw_members), and everyone
-- referred down from them: none of them can be in a loop. The walk follows a forest, so it
-- visits each member once and stops after the longest chain.
outside_loops as (
    select links.member_key
    from links
    left join links as referrers on links.referrer_key = referrers.member_key
    where links.referrer_key is null or referrers.member_key is null
    union all
    select links.member_key
    from links
    inner join outside_loops on links.referrer_key = outside_loops.member_key
),

-- the rest are in a loop or lead into one: usually a handful of rows
loop_candidates as (
    select
        links.member_key,
        links.referrer_key
    from links
    left join outside_loops on links.member_key = outside_loops.member_key
    where outside_loops.member_key is null
),

candidate_count as (
    select count(*) as candidates from loop_candidates
),

-- walk each candidate up its chain until it returns to itself (it is in a loop) or has taken as
-- many steps as there are candidates (it only leads into one)
walks as (
    select
        member_key as start_key,
        referrer_key as current_key,
        1 as steps
    from loop_candidates
    union all
    select
        walks.start_key,
        loop_candidates.referrer_key as current_key,
        walks.steps + 1 as steps
    from walks
    inner join loop_candidates on walks.current_key = loop_candidates.member_key
    cross join candidate_count
    where walks.current_key <> walks.start_key and walks.steps < candidate_count.candidates
),

-- (a member naming itself is in a loop of one step here; the self_referral check comes first)
loop_members as (
    select distinct start_key as member_key
    from walks
    where current_key = start_key
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
