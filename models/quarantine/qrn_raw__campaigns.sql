{%- set columns = raw_contract_columns('raw_campaigns') -%}
{%- set checks = id_checks('campaign_key', 'campaign_id') + [
    {'reason': 'missing_value', 'when': 'campaign_type_key is null', 'message': "'campaign_type is null or blank'"},
    unknown_enum_check([('campaign_type', 'enum_campaign_type'), ('channel', 'enum_platform')]),
] + timestamp_checks('starts_at') + [
    {'reason': 'negative_amount', 'when': 'cost < 0', 'message': "'cost ' || " ~ as_text('cost') ~ " || ' is negative'"},
] -%}

with

-- exact replays collapse here; raw_rows_accounted_for counts them
distinct_rows as (
    {{ distinct_raw_rows('raw_campaigns', columns) }}
),

keyed as (
    select
        distinct_rows.*,
        {{ clean_text('campaign_id') }} as campaign_key,
        {{ clean_enum('campaign_type') }} as campaign_type_key,
        count(*) over (partition by {{ clean_text('campaign_id') }}) as rows_with_key
    from distinct_rows
),

prepared as (
    select
        keyed.*,
        enum_campaign_type.enum_value as enum_campaign_type_value,
        enum_platform.enum_value as enum_platform_value
    from keyed
    {{ enum_join('campaign_type', 'keyed.campaign_type_key', 'enum_campaign_type') }}
    {{ enum_join('platform', clean_enum('keyed.channel'), 'enum_platform') }}
),

final as (
    {{ quarantine_output(columns, 'campaign_key', checks) }}
)

select * from final
