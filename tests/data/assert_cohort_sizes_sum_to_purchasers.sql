-- Per basis, first-purchase cohort sizes add up to the members who purchased on or before
-- as_of_date (fct_orders), and registration cohort sizes to the members registered by then.
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

cohort_totals as (
    select
        cohort_definition,
        retention_basis,
        sum(cohort_size) as members
    from {{ ref('rpt_cohort_retention') }}
    where period_number = 0
    group by cohort_definition, retention_basis
),

purchasers as (
    select count(distinct orders.member_id) as members
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.is_purchase and orders.order_date <= as_of.as_of_date
),

registered as (
    select count(*) as members
    from {{ ref('dim_members') }} as members
    cross join as_of
    where cast(members.registered_at as date) <= as_of.as_of_date
),

expected as (
    select
        'first_purchase' as cohort_definition,
        members
    from purchasers
    union all
    select
        'registration' as cohort_definition,
        members
    from registered
),

bases as (
    select 'ordering' as retention_basis
    union all
    select 'active' as retention_basis
    union all
    select 'revenue' as retention_basis
)

select
    expected.cohort_definition,
    bases.retention_basis,
    expected.members as expected_members,
    cohort_totals.members as cohort_members
from expected
cross join bases
left join cohort_totals
    on
        expected.cohort_definition = cohort_totals.cohort_definition
        and bases.retention_basis = cohort_totals.retention_basis
where coalesce(cohort_totals.members, 0) != expected.members
