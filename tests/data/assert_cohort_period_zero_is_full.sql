-- Period 0 retains the whole starting group: ordering and active for first-purchase cohorts,
-- active for registration cohorts (registration is period-0 activity). A complete period 0 is exactly 100 %.
select
    cohort_definition,
    retention_basis,
    cohort_start_date,
    cohort_size,
    retained_members_to_date,
    retention_rate
from {{ ref('rpt_cohort_retention') }}
where
    period_number = 0
    and (
        (cohort_definition = 'first_purchase' and retention_basis in ('ordering', 'active'))
        or (cohort_definition = 'registration' and retention_basis = 'active')
    )
    and (
        retained_members_to_date != cohort_size
        or (is_complete_period and (retention_rate is null or retention_rate != 1))
    )
