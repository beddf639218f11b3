{#- The day grain MetricFlow joins metrics to: one row per calendar day from the
    time_spine_start_date var (or the data's first day when the data begins earlier: a 1990s order
    history would otherwise get an empty spine) to as_of_date (or the time_spine_end_date var when
    set). Nothing is known after as_of_date, so cumulative metrics stop there instead of running on to the end of
    a fixed calendar. Built from dbt's portable number series (10,000 days, about 27 years) so it
    runs on every engine; a data test checks that no day is missing. -#}
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- the first day a member registered or ordered
data_start as (
    select min(first_date) as first_date
    from (
        select min(cast(registered_at as date)) as first_date from {{ ref('stg_raw__members') }}
        union all
        select min(order_date) as first_date from {{ ref('stg_raw__orders') }}
    ) as firsts
),

day_offsets as (
    {{ dbt.generate_series(10000) }}
),

bounds as (
    select
        least(
            cast('{{ var("time_spine_start_date") }}' as date),
            coalesce(data_start.first_date, cast('{{ var("time_spine_start_date") }}' as date))
        ) as first_date,
        {% if var('time_spine_end_date') is none -%}
            as_of.as_of_date as last_date
        {%- else -%}
            cast('{{ var("time_spine_end_date") }}' as date) as last_date
        {%- endif %}
    from as_of
    cross join data_start
),

final as (
    select cast({{ dbt.dateadd('day', 'day_offsets.generated_number - 1', 'bounds.first_date') }} as date) as date_day
    from bounds
    inner join day_offsets
        on day_offsets.generated_number - 1 <= {{ dbt.datediff('bounds.first_date', 'bounds.last_date', 'day') }}
)

select * from final
