{#- Public tables declare each column's type once, in YAML (`data_type`), and dbt
    enforces it as a model contract. A public model ends with
    `{{ select_declared_types('final') }}`, which casts every declared column to its
    declared type, so every engine returns the same types (no 128-bit sums on DuckDB,
    no unscaled numerics on PostgreSQL). A column missing from the YAML is not
    published: the YAML is the public interface. -#}
{% macro select_declared_types(from_relation) -%}
    {%- set columns = model['columns'].values() | list if model['columns'] else [] -%}
    {%- if not execute or not columns -%}
        select * from {{ from_relation }}
    {%- else -%}
        select
        {%- for column in columns %}
            cast({{ column['name'] }} as {{ portable_type(column['data_type']) }}) as {{ column['name'] }}
            {{- "," if not loop.last }}
        {%- endfor %}
        from {{ from_relation }}
    {%- endif -%}
{%- endmacro %}

{#- A declared type as the engine spells it. -#}
{% macro portable_type(data_type) -%}
    {{ return(adapter.dispatch('portable_type', 'loyalty_warehouse')(data_type)) }}
{%- endmacro %}

{% macro default__portable_type(data_type) -%}
    {{ data_type }}
{%- endmacro %}

{% macro spark__portable_type(data_type) -%}
    {%- set spelled = {'varchar': 'string', 'double precision': 'double'} -%}
    {{ spelled.get(data_type | lower, data_type) }}
{%- endmacro %}
