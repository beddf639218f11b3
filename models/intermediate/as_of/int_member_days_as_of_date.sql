{#- The member-days of int_member_daily_activity on or before as_of_date, with as_of_date on
    every row: the one place that cuts the daily activity at the as-of date. -#}
with

daily_activity as (
    select * from {{ ref('int_member_daily_activity').include(database=False) }}
),

as_of as (
    select * from {{ ref('int_as_of_date').include(database=False) }}
),

final as (
    select
        daily_activity.*,
        as_of.as_of_date
    from daily_activity
    cross join as_of
    where daily_activity.activity_date <= as_of.as_of_date
)

-- every column of the source passes through, so the column count is the source's
select * from final  -- noqa: AM04
