{#- The single "as of" date of every snapshot computation: the as_of_date var when
    set, otherwise the last order date in the data (never the wall clock). -#}
with

orders as (
    select * from {{ ref('stg_raw__orders') }}
),

final as (
    select
        {%- if var('as_of_date') %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- else %}
        max(order_date) as as_of_date
        {%- endif %}
    from orders
)

select * from final
