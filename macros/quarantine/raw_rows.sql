{#- Raw rows as the quarantine sees them: the contract's columns, text casts, fingerprints and
    readable text of a row, and the distinct rows of a raw table. -#}

{#- Row-level quarantine helpers (models/quarantine). Each qrn_raw__* model gives every
    distinct raw row a verdict: the first failing check's reason code and message, or null
    when the row is clean. Staging keeps the clean rows; qrn_quarantined_rows lists the rest. -#}

{#- The contract columns of a raw table, in contract order, from the sources YAML
    (generated from contract.py). Extra columns in a file are ignored, as preflight reports. -#}
{% macro raw_contract_columns(table_name) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set node = graph.sources.get('source.loyalty_warehouse.raw.' ~ table_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error('raw table ' ~ table_name ~ ' is not in the raw sources') }}
    {%- endif -%}
    {{ return(node.columns.keys() | list) }}
{%- endmacro %}

{#- Text cast on every engine. -#}
{% macro as_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- A fingerprint of a raw row over the given columns (nulls kept apart from the text 'null'). -#}
{% macro raw_row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ as_text(column) ~ ", '<null>')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#- The raw row as readable text: "col=value; col=value; ..." (null shown as null). -#}
{% macro raw_row_text(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("'" ~ column ~ "='") -%}
        {%- do parts.append("coalesce(" ~ as_text(column) ~ ", 'null')") -%}
        {%- if not loop.last %}{% do parts.append("'; '") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#- The distinct raw rows of a raw table over its contract columns: exact replays collapse here
    (raw_rows_accounted_for counts them). -#}
{% macro distinct_raw_rows(table_name, columns) -%}
    select distinct {{ columns | join(', ') }}
    from {{ source('raw', table_name) }}
{%- endmacro %}
