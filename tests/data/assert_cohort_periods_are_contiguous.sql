-- Every cohort has periods 0..n without gaps, constant size, the last one reaching the period of
-- as_of_date (or the cohort_max_periods cap), and only the last one may be incomplete.
with

cohort_rows as (
    select * from {{ ref('rpt_cohort_retention') }}
),

per_cohort as (
    select
        cohort_definition,
        retention_basis,
        cohort_start_date,
        count(*) as periods,
        max(period_number) as last_period,
        min(cohort_size) as min_size,
        max(cohort_size) as max_size,
        max(period_end_date) as last_period_end_date,
        max(as_of_date) as as_of_date,
        {{ sum_if('not is_complete_period', 1) }} as incomplete_periods,
        max(case when not is_complete_period then period_number end) as incomplete_period
    from cohort_rows
    group by cohort_definition, retention_basis, cohort_start_date
)

select
    cohort_definition,
    retention_basis,
    cohort_start_date,
    periods,
    last_period
from per_cohort
where
    periods != last_period + 1
    or min_size != max_size
    or incomplete_periods > 1
    or (incomplete_periods = 1 and incomplete_period != last_period)
    or (last_period < {{ var('cohort_max_periods') }} and last_period_end_date < as_of_date)
