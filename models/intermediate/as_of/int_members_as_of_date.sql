{#- The staged members registered on or before as_of_date, with as_of_date on every row: the
    one place that decides who is a member at the as-of date. -#}
with

members as (
    select * from {{ ref('stg_raw__members').include(database=False) }}
),

as_of as (
    select * from {{ ref('int_as_of_date').include(database=False) }}
),

final as (
    select
        members.*,
        as_of.as_of_date
    from members
    cross join as_of
    where cast(members.registered_at as date) <= as_of.as_of_date
)

select * from final
