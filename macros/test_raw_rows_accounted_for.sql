{#- Every raw row is accounted for: raw rows = staged rows + exact replays dropped.
    Replays are counted independently of the staging model (rows minus distinct rows
    of the raw file), so a filter or join added to staging makes this test fail. -#}
{% test raw_rows_accounted_for(model, source_name, table_name) %}
with raw_counts as (
    select count(*) as raw_rows
    from {{ source(source_name, table_name) }}
),

distinct_counts as (
    select count(*) as distinct_raw_rows
    from (select distinct * from {{ source(source_name, table_name) }}) as distinct_rows
),

staged_counts as (
    select count(*) as staged_rows
    from {{ model }}
),

accounting as (
    select
        raw_counts.raw_rows,
        staged_counts.staged_rows,
        raw_counts.raw_rows - distinct_counts.distinct_raw_rows as exact_replays_dropped
    from raw_counts
    cross join distinct_counts
    cross join staged_counts
)

select *
from accounting
where raw_rows != staged_rows + exact_replays_dropped
{% endtest %}
