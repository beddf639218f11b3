{#- A 1..bins score from the percent rank of an ordering, tie-stable: equal values get
    equal scores because percent_rank gives ties the same rank. The top of the
    ordering gets `bins`. -#}
{% macro score_bin(order_by, bins, partition_by=none) -%}
    cast(1 + least(
        {{ bins - 1 }},
        floor({{ bins }} * percent_rank() over (
            {%- if partition_by %}partition by {{ partition_by }} {% endif -%}
            order by {{ order_by }}
        ))
    ) as {{ dbt.type_int() }})
{%- endmacro %}

{#- A 0..100 score from the percent rank of a value among the rows (2 decimals). -#}
{% macro percent_rank_score(column_name) -%}
    cast(
        round(cast(100 * percent_rank() over (order by {{ column_name }}) as {{ dbt.type_numeric() }}), 2)
        as {{ type_score() }}
    )
{%- endmacro %}

{#- The same 0..100 score from a percent rank computed elsewhere (macros/bucketed_rank.sql). -#}
{% macro score_from_percent_rank(percent_rank_column) -%}
    cast(
        round(cast(100 * {{ percent_rank_column }} as {{ dbt.type_numeric() }}), 2)
        as {{ type_score() }}
    )
{%- endmacro %}
