{#- Money is decimal(18, 2) on every engine. -#}
{% macro type_amount() -%}
    {{ return(adapter.dispatch('type_amount', 'loyalty_warehouse')()) }}
{%- endmacro %}

{% macro default__type_amount() -%}
    decimal(18, 2)
{%- endmacro %}

{#- A 0-100 score with `scale` decimals: decimal(3 + scale, scale). Declared so that
    every engine returns the same scale (PostgreSQL's bare numeric keeps whatever
    scale the arithmetic produced). -#}
{% macro type_score(scale=2) -%}
    decimal({{ 3 + scale }}, {{ scale }})
{%- endmacro %}

{#- A ratio or coefficient with six decimals. -#}
{% macro type_ratio() -%}
    decimal(18, 6)
{%- endmacro %}
