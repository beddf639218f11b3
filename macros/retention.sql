{#- Retention helpers: the cohort period grain (var cohort_grain, month | week) and a portable median. -#}

{% macro retention_grain() -%}
    {%- set grain = var('cohort_grain') -%}
    {%- if grain not in ['month', 'week'] -%}
        {{ exceptions.raise_compiler_error("var cohort_grain must be 'month' or 'week', got '" ~ grain ~ "'") }}
    {%- endif -%}
    {{ return(grain) }}
{%- endmacro %}

{#- First day of the cohort period (month, or ISO week starting Monday) containing `date_expression`. -#}
{% macro retention_period_start(date_expression) -%}
    cast({{ dbt.date_trunc(retention_grain(), date_expression) }} as date)
{%- endmacro %}

{#- Whole periods from the period starting `start_period` to the period starting `end_period` (both period starts). -#}
{% macro retention_period_number(start_period, end_period) -%}
    {%- if retention_grain() == 'month' -%}
        {{ dbt.datediff(start_period, end_period, 'month') }}
    {%- else -%}
        cast({{ dbt.datediff(start_period, end_period, 'day') }} / 7 as {{ dbt.type_int() }})
    {%- endif -%}
{%- endmacro %}

{#- Start of the period `period_number` periods after the period starting `start_period`. -#}
{% macro retention_period_add(period_number, start_period) -%}
    {%- if retention_grain() == 'month' -%}
        cast({{ dbt.dateadd('month', '(' ~ period_number ~ ')', start_period) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd('day', '7 * (' ~ period_number ~ ')', start_period) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- Median of `expression` within the current group; the ordered-set form runs on DuckDB and PostgreSQL. -#}
{% macro retention_median(expression) -%}
    {{ return(adapter.dispatch('retention_median', 'loyalty_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__retention_median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__retention_median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}

{#- A non-negative money amount (2 decimals) divided by a positive count, rounded half up to cents the
    same way on every engine (DuckDB divides decimals in floating point, PostgreSQL exactly). -#}
{% macro retention_amount_per(amount, count) -%}
    cast(floor((200 * ({{ amount }}) + ({{ count }})) / (2.0 * ({{ count }}))) / 100 as {{ type_amount() }})
{%- endmacro %}
