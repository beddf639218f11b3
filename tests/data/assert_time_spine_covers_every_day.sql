{#- The MetricFlow time spine has every day from time_spine_start_date to as_of_date (or
    time_spine_end_date) exactly once: it is built from 10,000 numbers, so a longer range would
    silently lose its last days. Returns a row when the spine's range or its day count is off. -#}
with

spine as (
    select * from {{ ref('time_spine_daily') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

expected as (
    select
        cast('{{ var("time_spine_start_date") }}' as date) as first_date,
        {% if var('time_spine_end_date') is none -%}
            as_of.as_of_date as last_date
        {%- else -%}
            cast('{{ var("time_spine_end_date") }}' as date) as last_date
        {%- endif %}
    from as_of
),

actual as (
    select
        min(date_day) as first_date,
        max(date_day) as last_date,
        count(*) as days,
        count(distinct date_day) as distinct_days
    from spine
),

final as (
    select
        expected.first_date as expected_first_date,
        expected.last_date as expected_last_date,
        actual.first_date,
        actual.last_date,
        actual.days,
        actual.distinct_days
    from expected
    cross join actual
    where
        actual.first_date != expected.first_date
        or actual.last_date != expected.last_date
        or actual.days != {{ dbt.datediff('expected.first_date', 'expected.last_date', 'day') }} + 1
        or actual.distinct_days != actual.days
)

select * from final
