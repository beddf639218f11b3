{#- Every raw row is accounted for: raw rows = staged rows + quarantined rows + exact replays
    dropped. Replays are counted independently of the models (rows minus distinct rows of the
    raw file over the contract columns), so a row that staging drops without quarantining it,
    or a quarantined row that staging also keeps, makes this test fail. -#}
{% test raw_rows_accounted_for(model, source_name, table_name) %}
{%- set columns = raw_contract_columns(table_name) -%}
with raw_counts as (
    select count(*) as raw_rows
    from {{ source(source_name, table_name) }}
),

distinct_counts as (
    select count(*) as distinct_raw_rows
    from (
        select distinct {{ columns | join(', ') }}
        from {{ source(source_name, table_name) }}
    ) as distinct_rows
),

staged_counts as (
    select count(*) as staged_rows
    from {{ model }}
),

quarantined_counts as (
    select count(*) as quarantined_rows
    from {{ ref('qrn_quarantined_rows') }}
    where table_name = '{{ table_name }}'
),

accounting as (
    select
        raw_counts.raw_rows,
        staged_counts.staged_rows,
        quarantined_counts.quarantined_rows,
        raw_counts.raw_rows - distinct_counts.distinct_raw_rows as exact_replays_dropped
    from raw_counts
    cross join distinct_counts
    cross join staged_counts
    cross join quarantined_counts
)

select *
from accounting
where raw_rows != staged_rows + quarantined_rows + exact_replays_dropped
{% endtest %}
