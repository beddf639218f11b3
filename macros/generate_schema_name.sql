{#- Folder schemas are used as given (staging, intermediate, member_facts, ...)
    instead of dbt's default "<target schema>_<custom schema>", so BI tools see
    stable names on every target.

    LOYALTY_SCHEMA_SUFFIX (e.g. "__building") appends a suffix to every one of them: the
    PostgreSQL write-audit-publish build writes to member_facts__building, ... and swaps
    those in for the public schemas only when everything passed
    (src/loyalty_warehouse/engines/pg_publish.py); a developer can build into "__dev" schemas
    beside the published ones. Unset, nothing changes. The raw source's schema is set apart,
    by LOYALTY_RAW_SCHEMA (default raw). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ schema_suffix() }}
    {%- endif -%}
{%- endmacro %}

{#- The suffix of every project schema (and of the raw source's schema), checked so it cannot
    turn a schema name into something else. -#}
{% macro schema_suffix() -%}
    {%- set suffix = env_var('LOYALTY_SCHEMA_SUFFIX', '') -%}
    {%- if modules.re.match('^[a-z0-9_]*$', suffix) is none -%}
        {{ exceptions.raise_compiler_error(
            "LOYALTY_SCHEMA_SUFFIX is '" ~ suffix ~ "'; use lowercase letters, digits and _ only (e.g. __building)") }}
    {%- endif -%}
    {{ return(suffix) }}
{%- endmacro %}
