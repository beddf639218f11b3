{#- The programme's periods (koc_period_grain: month by default; quarter and year work
    too) from the first KOC entry to the as-of date, numbered so windows can count back. -#}
{%- set grain = var('koc_period_grain') -%}
with

kocs as (
    select * from {{ ref('int_koc_members') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

bounds as (
    select
        min(cast(kocs.koc_since_at as date)) as first_date,
        min(as_of.as_of_date) as as_of_date
    from kocs
    cross join as_of
),

months as (
    {{ month_spine('bounds', 'first_date', 'as_of_date') }}
),

periods as (
    select distinct cast({{ dbt.date_trunc(grain, 'month_start') }} as date) as period_start
    from months
),

final as (
    select
        cast(row_number() over (order by periods.period_start) as {{ dbt.type_int() }}) as period_index,
        periods.period_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd(grain, 1, 'periods.period_start')) }} as date) as period_end,
        -- the last period is evaluated at the as-of date, not at its calendar end
        cast(case
            when {{ dbt.dateadd('day', -1, dbt.dateadd(grain, 1, 'periods.period_start')) }} > bounds.as_of_date
                then bounds.as_of_date
            else {{ dbt.dateadd('day', -1, dbt.dateadd(grain, 1, 'periods.period_start')) }}
        end as date) as evaluated_at_date
    from periods
    cross join bounds
)

select * from final
