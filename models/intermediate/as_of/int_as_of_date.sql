{#- The single "as of" date of every snapshot computation: the as_of_date var when
    set, otherwise the last order date in the data (never the wall clock). A table, unlike the
    as-of views beside it: one row that every as-of model reads, computed once. -#}
{{ config(materialized='table') }}
{%- if var('as_of_date') -%}
    {%- set as_of_expression = "min(cast('" ~ var('as_of_date') ~ "' as date))" -%}
{%- else -%}
    {%- set as_of_expression = "max(order_date)" -%}
{%- endif %}
with

orders as (
    select * from {{ ref('stg_raw__orders') }}
),

final as (
    select {{ as_of_expression }} as as_of_date
    from orders
)

select * from final
