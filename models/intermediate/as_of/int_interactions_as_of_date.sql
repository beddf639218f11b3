{#- The staged interaction events on or before as_of_date with their event family and whether
    the member initiated them (ref_event_types), and as_of_date on every row: the one place that
    cuts the event history at the as-of date and classifies events. -#}
with

interactions as (
    select * from {{ ref('stg_raw__interactions').include(database=False) }}
),

event_types as (
    select * from {{ ref('ref_event_types').include(database=False) }}
),

as_of as (
    select * from {{ ref('int_as_of_date').include(database=False) }}
),

final as (
    select
        interactions.*,
        event_types.event_family,
        event_types.is_member_initiated,
        as_of.as_of_date
    from interactions
    inner join event_types on interactions.event_type = event_types.event_type
    cross join as_of
    where interactions.event_date <= as_of.as_of_date
)

-- every column of the source passes through, so the column count is the source's
select * from final  -- noqa: AM04
