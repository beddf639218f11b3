{%- set columns = raw_contract_columns('raw_koc_participations') -%}
{%- set checks = id_checks('participation_key', 'participation_id') + member_checks() + [
    {'reason': 'missing_value', 'when': 'campaign_key is null', 'message': "'campaign_id is null or blank'"},
    {'reason': 'orphan_campaign_id', 'when': 'campaign_in_raw is null or campaign_quarantine_reason is not null',
     'message': "'campaign_id ' || campaign_key || ' is not a usable campaign in raw_campaigns'"},
    {'reason': 'missing_value', 'when': 'joined_at is null', 'message': "'joined_at is null'"},
] + timestamp_checks('joined_at') -%}

with

-- exact replays collapse here; raw_rows_accounted_for counts them
distinct_rows as (
    {{ distinct_raw_rows('raw_koc_participations', columns) }}
),

keyed as (
    select
        distinct_rows.*,
        {{ clean_text('participation_id') }} as participation_key,
        {{ clean_text('member_id') }} as member_key,
        {{ clean_text('campaign_id') }} as campaign_key,
        count(*) over (partition by {{ clean_text('participation_id') }}) as rows_with_key
    from distinct_rows
),

members as (
    {{ verdict_per_key('qrn_raw__members', 'member_key') }}
),

campaigns as (
    {{ verdict_per_key('qrn_raw__campaigns', 'campaign_key') }}
),

prepared as (
    select
        keyed.*,
        members.member_key as member_in_raw,
        members.quarantine_reason as member_quarantine_reason,
        campaigns.campaign_key as campaign_in_raw,
        campaigns.quarantine_reason as campaign_quarantine_reason
    from keyed
    left join members
        on keyed.member_key = members.member_key
    left join campaigns
        on keyed.campaign_key = campaigns.campaign_key
),

final as (
    {{ quarantine_output(columns, 'participation_key', checks) }}
)

select * from final
