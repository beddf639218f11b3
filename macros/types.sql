{#- Money is decimal(18, 2) on every engine. -#}
{% macro type_amount() -%}
    {{ return(adapter.dispatch('type_amount', 'loyalty_warehouse')()) }}
{%- endmacro %}

{% macro default__type_amount() -%}
    decimal(18, 2)
{%- endmacro %}
