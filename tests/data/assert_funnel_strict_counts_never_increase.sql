-- In the strict onboarding funnel no step reaches more members than the step before it,
-- and step 0 (acquired) is every member acquired.
with

funnel as (
    select
        acquisition_week,
        acquisition_channel,
        step_order,
        members_acquired,
        members_reached,
        lag(members_reached) over (
            partition by acquisition_week, acquisition_channel order by step_order
        ) as previous_reached
    from {{ ref('rpt_onboarding_funnel') }}
    where funnel_variant = 'strict'
)

select
    acquisition_week,
    acquisition_channel,
    step_order,
    previous_reached,
    members_reached
from funnel
where
    members_reached > previous_reached
    or (step_order = 0 and members_reached != members_acquired)
