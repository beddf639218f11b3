{#- When each required raw table was loaded, for `dbt source freshness` (the sources YAML's
    loaded_at_query calls this; spec DQ-S15: warn after 1 day, error after 3).

    On every engine it is the raw file's modification time, as the raw files carry no load-time
    column (decision D48): DuckDB reads the file in place and asks read_blob; on PostgreSQL the
    loader (loyalty_warehouse.engines.postgres) copies the files into schema raw and records each
    file's modification time in raw.loyalty_load_log. -#}
{% macro raw_loaded_at_query(source_relation, source_node) -%}
    {{ return(adapter.dispatch('raw_loaded_at_query', 'loyalty_warehouse')(source_relation, source_node)) }}
{%- endmacro %}

{% macro duckdb__raw_loaded_at_query(source_relation, source_node) -%}
    {%- set table_name = source_relation.identifier -%}
    {%- set default_path = var('raw_dir', env_var('LOYALTY_RAW_DIR', 'data/raw')) ~ '/' ~ table_name ~ '.'
        ~ var('raw_format', env_var('LOYALTY_RAW_FORMAT', 'parquet')) -%}
    {%- set path = var('raw_locations', {}).get(table_name, default_path) -%}
    select max(last_modified) from read_blob('{{ path | replace("'", "''") }}')
{%- endmacro %}

{% macro postgres__raw_loaded_at_query(source_relation, source_node) -%}
    select max(file_modified_at)
    from {{ adapter.quote(source_relation.schema) }}.loyalty_load_log
    where table_name = '{{ source_relation.identifier }}'
{%- endmacro %}

{% macro default__raw_loaded_at_query(source_relation, source_node) -%}
    {{ exceptions.raise_compiler_error(
        "source freshness of the raw tables is not available on target type '" ~ target.type
        ~ "'; run it on the duckdb or postgres target") }}
{%- endmacro %}
