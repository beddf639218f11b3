{#- Sum of `value` over the rows where `condition` holds (0 when none do). -#}
{% macro sum_if(condition, value) -%}
    sum(case when {{ condition }} then {{ value }} else 0 end)
{%- endmacro %}
