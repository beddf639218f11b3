{#- Text as staged: trimmed, empty strings become null. -#}
{% macro clean_text(column_name) -%}
    nullif(trim(cast({{ column_name }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Enumeration values as staged: cleaned text in lower case. -#}
{% macro clean_enum(column_name) -%}
    lower({{ clean_text(column_name) }})
{%- endmacro %}

{#- Free text as staged, for text that may be typed with full-width (ideographic) spaces:
    those become ordinary spaces before trimming, so '　上海　' stages as '上海'. -#}
{% macro clean_wide_text(column_name) -%}
    {{ clean_text("replace(cast(" ~ column_name ~ " as " ~ dbt.type_string() ~ "), '　', ' ')") }}
{%- endmacro %}
