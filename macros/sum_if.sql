{#- Sum of `value` over the rows where `condition` holds (0 when none do). -#}
{% macro sum_if(condition, value) -%}
    sum(case when {{ condition }} then {{ value }} else 0 end)
{%- endmacro %}

{#- Rows where `condition` holds, as a 64-bit integer on every engine. Written as a count, not as
    sum(case ... then 1 else 0 end): DuckDB widens a sum of integers to HUGEINT (128 bits), and a
    stored HUGEINT column scans 30-40x slower than a BIGINT one for every later reader. -#}
{% macro count_if(condition) -%}
    count(case when {{ condition }} then 1 end)
{%- endmacro %}

{#- A sum of counts (`sum_if` of an integer column) kept a 64-bit integer, for tables that store it
    (see count_if for why). -#}
{% macro sum_count_if(condition, value) -%}
    cast({{ sum_if(condition, value) }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- A sum of amounts kept the amount type (DuckDB widens sum(decimal(18, 2)) to decimal(38, 2)),
    for tables that store it. -#}
{% macro sum_amount_if(condition, value) -%}
    cast({{ sum_if(condition, value) }} as {{ type_amount() }})
{%- endmacro %}
