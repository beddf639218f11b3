{#- Which orders count as a purchase: defined once, used by every model. -#}
{% macro is_purchase(status_column) -%}
    ({{ status_column }} in (
        {%- for status in var('purchase_statuses') -%}
            '{{ status }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ))
{%- endmacro %}
