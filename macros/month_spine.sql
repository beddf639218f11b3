{#- One row per calendar month from the month of `start_date` to the month of `end_date`
    (both date expressions from `relation`, which has one row), as `month_start`; up to 1,200
    months, from dbt's portable number series. -#}
{% macro month_spine(relation, start_date, end_date) -%}
    with month_offsets as (
        {{ dbt.generate_series(1200) }}
    ),

    bounds as (
        select
            cast({{ dbt.date_trunc('month', start_date) }} as date) as first_month,
            {{ dbt.datediff(start_date, end_date, 'month') }} as month_count
        from {{ relation }}
    )

    select
        cast({{ dbt.dateadd('month', 'month_offsets.generated_number - 1', 'bounds.first_month') }} as date)
            as month_start
    from bounds
    inner join month_offsets on month_offsets.generated_number - 1 <= bounds.month_count
{%- endmacro %}

{#- Last day of the month starting on `month_start` (a date). -#}
{% macro last_day_of_month(month_start) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, month_start)) }} as date)
{%- endmacro %}
