{#- Incremental builds of the large event-grain models.

    Each run reprocesses everything from `incremental_lookback_days` before the latest
    timestamp already loaded, so rows that arrive late (by up to that many days) are
    picked up; `delete+insert` on the model's key replaces what was loaded before.
    Orders are also compared with what was loaded, whatever their date (a corrected or
    held-back old order re-derives its member), and rows staging no longer supports are
    deleted. Events that disappear, or arrive later than the lookback, need `--full-refresh`. -#}

{#- The earliest time the current run reprocesses, read from the model's own table. -#}
{% macro incremental_cutoff(time_column) -%}
    (
        select {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(' ~ time_column ~ ')') }}
        from {{ this }}
    )
{%- endmacro %}

{#- The order columns the order-grain incremental model copies from staging: when any of them
    differs between staging and what an earlier run loaded, the order changed. -#}
{% macro staged_order_columns() -%}
    {{ return(['order_id', 'member_id', 'campaign_id', 'status', 'channel', 'first_item_category', 'gross_amount',
               'discount_amount', 'paid_amount', 'refund_amount', 'net_amount', 'is_purchase', 'is_private_domain',
               'contains_traffic_product', 'order_date', 'ordered_at']) }}
{%- endmacro %}

{#- Members whose orders differ, whatever their date, between staging and the model's own table:
    an old order corrected, held back (a conflicting duplicate arrives later) or newly staged.
    Their whole history is re-derived; the lookback alone would miss an old order. -#}
{% macro members_with_changed_orders(orders_relation) -%}
    {%- set columns = staged_order_columns() | join(', ') -%}
    select member_id from (
        select {{ columns }} from {{ this }}
        except
        select {{ columns }} from {{ orders_relation }}
    ) as loaded_not_staged
    union
    select member_id from (
        select {{ columns }} from {{ orders_relation }}
        except
        select {{ columns }} from {{ this }}
    ) as staged_not_loaded
{%- endmacro %}

{#- Member days whose purchases (count and net amount) in staging differ from the model's own
    table, whatever their date: re-derived on an incremental run like the days in the lookback. -#}
{% macro purchase_days_changed(orders_relation) -%}
    select member_id, activity_date from (
        select member_id, activity_date, purchases, net_amount from {{ this }}
        where purchases > 0
        except
        select member_id, order_date, count(*), sum(net_amount) from {{ orders_relation }}
        where is_purchase
        group by member_id, order_date
    ) as loaded_not_staged
    union
    select member_id, activity_date from (
        select member_id, order_date as activity_date, count(*) as purchases, sum(net_amount) as net_amount
        from {{ orders_relation }}
        where is_purchase
        group by member_id, order_date
        except
        select member_id, activity_date, purchases, net_amount from {{ this }}
        where purchases > 0
    ) as staged_not_loaded
{%- endmacro %}

{#- A post-hook of an incremental model: delete its rows for which `condition` (over the alias
    `stale`) says staging no longer has what they were derived from - delete+insert replaces only
    the keys a run produces, so a key that vanished (an order held back later) would stay. Spark
    rebuilds its incremental models in full, so there is nothing to delete. -#}
{% macro delete_stale_rows(condition) -%}
    {{ return(adapter.dispatch('delete_stale_rows', 'loyalty_warehouse')(condition)) }}
{%- endmacro %}

{% macro default__delete_stale_rows(condition) -%}
    delete from {{ this }} as stale where {{ condition }}
{%- endmacro %}

{% macro spark__delete_stale_rows(condition) -%}
    select 1
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
