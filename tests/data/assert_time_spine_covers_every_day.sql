{#- The MetricFlow time spine has every day from time_spine_start_date (or the first registration or
    order, when earlier) to as_of_date (or
    time_spine_end_date) exactly once: it is built from 10,000 numbers, so a longer range would
    silently lose its last days. Returns a row when the spine's range or its day count is off. -#}
with

spine as (
    select * from {{ ref('time_spine_daily') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_registration as (
    select min(cast(registered_at as date)) as first_date from {{ ref('stg_raw__members') }}
),

first_order as (
    select min(order_date) as first_date from {{ ref('stg_raw__orders') }}
),

expected as (
    select
        least(
            cast('{{ var("time_spine_start_date") }}' as date),
            coalesce(first_registration.first_date, cast('{{ var("time_spine_start_date") }}' as date)),
            coalesce(first_order.first_date, cast('{{ var("time_spine_start_date") }}' as date))
        ) as first_date,
        {% if var('time_spine_end_date') is none -%}
            as_of.as_of_date as last_date
        {%- else -%}
            cast('{{ var("time_spine_end_date") }}' as date) as last_date
        {%- endif %}
    from as_of
    cross join first_registration
    cross join first_order
),

expected_days as (
    select
        first_date,
        last_date,
        {{ dbt.datediff('first_date', 'last_date', 'day') }} + 1
            as day_count
    from expected
),

actual as (
    select
        min(date_day) as first_date,
        max(date_day) as last_date,
        count(*) as day_count,
        count(distinct date_day) as distinct_day_count
    from spine
),

final as (
    select
        expected_days.first_date as expected_first_date,
        expected_days.last_date as expected_last_date,
        expected_days.day_count as expected_day_count,
        actual.first_date,
        actual.last_date,
        actual.day_count,
        actual.distinct_day_count
    from expected_days
    cross join actual
    where
        actual.first_date != expected_days.first_date
        or actual.last_date != expected_days.last_date
        or actual.day_count != expected_days.day_count
        or actual.distinct_day_count != actual.day_count
)

select * from final
