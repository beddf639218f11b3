{#- PostgreSQL plans each query from table statistics, which a table only gets when autovacuum
    gets round to it - usually after the build has run the tests that read it. Without them the
    planner guesses row counts and picks nested loops: a relationships test on the 3,000-member
    data took 12.6 s instead of 0.2 s. So on PostgreSQL every table model is analysed right after
    it is built (a post-hook in dbt_project.yml); other engines need nothing. -#}
{% macro refresh_planner_statistics() -%}
    {{ return(adapter.dispatch('refresh_planner_statistics', 'loyalty_warehouse')()) }}
{%- endmacro %}

{% macro default__refresh_planner_statistics() -%}
{%- endmacro %}

{% macro postgres__refresh_planner_statistics() -%}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
