-- The cohort LTV curve (cumulative net amount per member) never decreases along period_number.
with

curve as (
    select
        cohort_definition,
        retention_basis,
        cohort_start_date,
        period_number,
        cumulative_net_amount,
        cumulative_net_amount_per_member,
        lag(cumulative_net_amount) over (
            partition by cohort_definition, retention_basis, cohort_start_date order by period_number
        ) as previous_cumulative_net_amount,
        lag(cumulative_net_amount_per_member) over (
            partition by cohort_definition, retention_basis, cohort_start_date order by period_number
        ) as previous_per_member
    from {{ ref('rpt_cohort_retention') }}
)

select
    cohort_definition,
    retention_basis,
    cohort_start_date,
    period_number,
    previous_per_member,
    cumulative_net_amount_per_member
from curve
where
    cumulative_net_amount < previous_cumulative_net_amount
    or cumulative_net_amount_per_member < previous_per_member
