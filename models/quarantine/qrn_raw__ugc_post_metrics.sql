{%- set columns = raw_contract_columns('raw_ugc_post_metrics') -%}
{%- set counts = ['exposures', 'likes', 'comments', 'favorites', 'shares'] -%}
{%- set checks = [
    {'reason': 'missing_id', 'when': 'post_key is null or observed_at is null',
     'message': "'post_id or observed_at is null or blank'"},
    {'reason': 'duplicate_id_conflict', 'when': 'rows_with_key > 1',
     'message': "'post ' || post_key || ' observed at ' || " ~ as_text('observed_at')
        ~ " || ' has ' || " ~ as_text('rows_with_key') ~ " || ' different versions; none is used'"},
] + timestamp_checks('observed_at') + timestamp_checks('published_at') + [
    unknown_enum_check([('platform', 'enum_platform')]),
    {'reason': 'negative_amount', 'when': '(' ~ counts | join(' < 0 or ') ~ ' < 0)',
     'message': "'a cumulative count is negative'"},
] -%}

with

-- exact replays collapse here; raw_rows_accounted_for counts them
distinct_rows as (
    {{ distinct_raw_rows('raw_ugc_post_metrics', columns) }}
),

keyed as (
    select
        distinct_rows.*,
        {{ clean_text('post_id') }} as post_key,
        count(*) over (
            partition by {{ clean_text('distinct_rows.post_id') }}, distinct_rows.observed_at
        ) as rows_with_key
    from distinct_rows
),

prepared as (
    select
        keyed.*,
        enum_platform.enum_value as enum_platform_value
    from keyed
    {{ enum_join('platform', clean_enum('keyed.platform'), 'enum_platform') }}
),

final as (
    {{ quarantine_output(columns, dbt.concat(['post_key', "'@'", as_text('observed_at')]), checks) }}
)

select * from final
