{#- One row per calendar month from the month of `start_date` to the month of `end_date`
    (both date expressions from `relation`, which has one row), as `month_start`.
    Built from digits so it runs on every engine (up to 1,000 months). -#}
{% macro month_spine(relation, start_date, end_date) -%}
    with digits as (
        select 0 as digit union all select 1 union all select 2 union all select 3
        union all select 4 union all select 5 union all select 6 union all select 7
        union all select 8 union all select 9
    ),

    numbers as (
        select hundreds.digit * 100 + tens.digit * 10 + units.digit as month_offset
        from digits as hundreds
        cross join digits as tens
        cross join digits as units
    ),

    bounds as (
        select
            cast({{ dbt.date_trunc('month', start_date) }} as date) as first_month,
            {{ dbt.datediff(start_date, end_date, 'month') }} as month_count
        from {{ relation }}
    )

    select cast({{ dbt.dateadd('month', 'numbers.month_offset', 'bounds.first_month') }} as date) as month_start
    from bounds
    inner join numbers on numbers.month_offset <= bounds.month_count
{%- endmacro %}

{#- Last day of the month starting on `month_start` (a date). -#}
{% macro last_day_of_month(month_start) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, month_start)) }} as date)
{%- endmacro %}
