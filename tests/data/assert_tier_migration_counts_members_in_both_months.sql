-- For every month and tier dimension, the migration counts add up to the members
-- present in the history both that month and the month before.
with

history as (
    select * from {{ ref('fct_member_tier_history') }}
),

in_both_months as (
    select
        current_month.tier_month,
        count(*) as members
    from history as current_month
    inner join history as previous_month
        on
            current_month.member_id = previous_month.member_id
            and previous_month.tier_month = {{ dbt.dateadd('month', -1, 'current_month.tier_month') }}
    group by current_month.tier_month
),

migrations as (
    select
        tier_month,
        tier_dimension,
        sum(members) as members
    from {{ ref('rpt_tier_migration') }}
    group by tier_month, tier_dimension
)

select
    in_both_months.tier_month,
    migrations.tier_dimension,
    in_both_months.members as expected_members,
    migrations.members as counted_members
from in_both_months
left join migrations on in_both_months.tier_month = migrations.tier_month
where migrations.members is null or migrations.members != in_both_months.members
