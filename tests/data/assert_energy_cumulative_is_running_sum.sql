-- cumulative_energy_points is a running sum over the member's months: the first month's
-- value is its energy_points, each later one adds the month's energy_points to the previous.
with

months as (
    select
        member_id,
        activity_month,
        energy_points,
        cumulative_energy_points,
        lag(cumulative_energy_points) over (
            partition by member_id order by activity_month
        ) as previous_cumulative
    from {{ ref('fct_energy_points') }}
)

select *
from months
where cumulative_energy_points != coalesce(previous_cumulative, 0) + energy_points
