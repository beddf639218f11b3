{#- Text as staged: trimmed, empty strings become null. -#}
{% macro clean_text(column_name) -%}
    nullif(trim(cast({{ column_name }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Enumeration values as staged: cleaned text in lower case. -#}
{% macro clean_enum(column_name) -%}
    lower({{ clean_text(column_name) }})
{%- endmacro %}
