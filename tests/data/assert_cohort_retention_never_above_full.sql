-- No cell retains more members than its cohort has, and no rate exceeds 100 %.
select
    cohort_definition,
    retention_basis,
    cohort_start_date,
    period_number,
    cohort_size,
    retained_members_to_date,
    retention_rate
from {{ ref('rpt_cohort_retention') }}
where
    retained_members_to_date > cohort_size
    or retained_members > cohort_size
    or retention_rate > 1
