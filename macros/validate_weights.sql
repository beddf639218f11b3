{#- Stop the build when a weights var is unusable: every weight must be a number >= 0,
    the weights must sum to 1, and the expected dimensions must all be there. -#}
{% macro validate_weights(var_name, dimensions) -%}
    {%- set weights = var(var_name) -%}
    {%- if weights is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ var_name ~ "' must be a mapping like {" ~ dimensions | join(": 0.25, ") ~ ": 0.25}; got " ~ weights) }}
    {%- endif -%}
    {%- set missing = dimensions | reject('in', weights) | list -%}
    {%- set unknown = weights.keys() | reject('in', dimensions) | list -%}
    {%- if missing or unknown -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ var_name ~ "' needs exactly the keys " ~ dimensions | join(", ")
            ~ (("; missing: " ~ missing | join(", ")) if missing else "")
            ~ (("; unknown: " ~ unknown | join(", ")) if unknown else "")) }}
    {%- endif -%}
    {%- set total = namespace(value=0) -%}
    {%- for dimension in dimensions -%}
        {%- set weight = weights[dimension] -%}
        {%- if weight is not number or weight < 0 -%}
            {{ exceptions.raise_compiler_error(
                "var '" ~ var_name ~ "': weight '" ~ dimension ~ "' is " ~ weight
                ~ "; every weight must be a number >= 0 (fix it in dbt_project.yml or --vars)") }}
        {%- endif -%}
        {%- set total.value = total.value + weight -%}
    {%- endfor -%}
    {%- if (total.value - 1) | abs > 0.000001 -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ var_name ~ "': weights sum to " ~ (total.value | round(6))
            ~ ", they must sum to 1 (fix it in dbt_project.yml or --vars)") }}
    {%- endif -%}
    {{ return(weights) }}
{%- endmacro %}
