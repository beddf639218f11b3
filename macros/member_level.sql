{#- Membership level rank 1..n: the highest level whose net-spend OR purchase-count
    threshold is met (level 1 needs nothing). The thresholds are validated first: the
    two vars must have one entry per level, start at 0 and be strictly increasing. -#}
{% macro member_level_rank(net_amount, purchases) -%}
    {%- set gmv = validated_level_thresholds('member_level_gmv_thresholds') -%}
    {%- set orders = validated_level_thresholds('member_level_order_thresholds') -%}
    {%- if gmv | length != orders | length -%}
        {{ exceptions.raise_compiler_error(
            "vars 'member_level_gmv_thresholds' and 'member_level_order_thresholds' must have the same number of "
            ~ "entries (one per level); got " ~ gmv | length ~ " and " ~ orders | length) }}
    {%- endif -%}
    case
        {%- for level in range(gmv | length - 1, 0, -1) %}
        when {{ net_amount }} >= {{ gmv[level] }} or {{ purchases }} >= {{ orders[level] }} then {{ level + 1 }}
        {%- endfor %}
        else 1
    end
{%- endmacro %}

{% macro validated_level_thresholds(var_name) -%}
    {%- set thresholds = var(var_name) -%}
    {%- if thresholds is string or thresholds is not iterable or thresholds | length < 1 -%}
        {{ exceptions.raise_compiler_error("var '" ~ var_name ~ "' must be a list such as [0, 1000, 5000, 20000]") }}
    {%- endif -%}
    {%- for threshold in thresholds -%}
        {%- if threshold is not number or threshold is boolean -%}
            {{ exceptions.raise_compiler_error(
                "var '" ~ var_name ~ "': threshold " ~ loop.index ~ " is " ~ threshold
                ~ "; every threshold must be a number (fix it in dbt_project.yml or --vars)") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if thresholds[0] != 0 -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ var_name ~ "' must start at 0 so every member gets level L1; got " ~ thresholds) }}
    {%- endif -%}
    {%- for index in range(1, thresholds | length) -%}
        {%- if thresholds[index] <= thresholds[index - 1] -%}
            {{ exceptions.raise_compiler_error(
                "var '" ~ var_name ~ "' must be strictly increasing; got " ~ thresholds) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(thresholds) }}
{%- endmacro %}

{#- 'L1'..'Ln' from a level rank. -#}
{% macro member_level_name(level_rank) -%}
    {{ dbt.concat(["'L'", "cast(" ~ level_rank ~ " as " ~ dbt.type_string() ~ ")"]) }}
{%- endmacro %}
