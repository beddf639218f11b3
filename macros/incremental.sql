{#- Incremental builds of the large event-grain models.

    Each run reprocesses everything from `incremental_lookback_days` before the latest
    timestamp already loaded, so rows that arrive late (by up to that many days) are
    picked up; `delete+insert` on the model's key replaces what was loaded before.
    Rows that disappear from the raw files, or arrive later than the lookback, need
    `--full-refresh`. -#}

{#- The earliest time the current run reprocesses, read from the model's own table. -#}
{% macro incremental_cutoff(time_column) -%}
    (
        select {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(' ~ time_column ~ ')') }}
        from {{ this }}
    )
{%- endmacro %}

{#- Members with an order at or after the cutoff: their whole purchase history is
    re-sequenced, since a late order changes the sequence numbers after it. -#}
{% macro members_with_orders_since_cutoff(orders_relation) -%}
    select distinct member_id
    from {{ orders_relation }}
    where ordered_at >= {{ incremental_cutoff('ordered_at') }}
{%- endmacro %}

{% macro incremental_strategy() -%}
    {{ return(adapter.dispatch('incremental_strategy', 'loyalty_warehouse')()) }}
{%- endmacro %}

{% macro default__incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{#- Spark's parquet tables have no delete+insert or merge. There the incremental models are
    rebuilt in full on every run (dbt_project.yml sets full_refresh on Spark), and the table is
    written with insert_overwrite, which parquet supports. -#}
{% macro spark__incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}
