-- DQ-X04: both lifecycle marts are one snapshot, taken on the project's single as-of date.
with

snapshot_dates as (
    select
        'fct_member_lifecycle' as model_name,
        as_of_date
    from {{ ref('fct_member_lifecycle') }}
    union all
    select
        'fct_churn_risk' as model_name,
        as_of_date
    from {{ ref('fct_churn_risk') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

mismatches as (
    select
        snapshot_dates.model_name,
        snapshot_dates.as_of_date,
        count(*) as mismatched_rows
    from snapshot_dates
    cross join as_of
    where snapshot_dates.as_of_date is null or snapshot_dates.as_of_date != as_of.as_of_date
    group by snapshot_dates.model_name, snapshot_dates.as_of_date
)

select * from mismatches
