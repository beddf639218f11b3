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

{#- Double-precision floating point: divide in it where a ratio of amounts must match across
    engines (Spark's decimal division rounds to six places; `float` is 32-bit on Spark and DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'loyalty_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
