-- Every driver splits all buyers into its bands, and the kox_tier bands are the pyramid's tiers:
-- the same buyers per tier as customer_value.rpt_loyalty_pyramid.
with

drivers as (
    select * from {{ ref('rpt_repurchase_drivers') }}
),

buyers as (
    select count(*) as buyers from {{ ref('fct_members') }}
    where purchases_lifetime > 0
),

per_driver as (
    select
        driver,
        sum(buyers) as buyers
    from drivers
    group by driver
),

pyramid as (
    select
        kox_tier,
        members
    from {{ ref('rpt_loyalty_pyramid') }}
    where members > 0
),

tiers as (
    select
        band as kox_tier,
        buyers
    from drivers
    where driver = 'kox_tier'
)

select
    {{ dbt.concat([
        "'driver '", 'per_driver.driver', "' covers '", 'cast(per_driver.buyers as ' ~ dbt.type_string() ~ ')',
        "' of '", 'cast(buyers.buyers as ' ~ dbt.type_string() ~ ')', "' buyers'",
    ]) }} as problem
from per_driver
cross join buyers
where per_driver.buyers != buyers.buyers
union all
select
    'kox tier ' || coalesce(pyramid.kox_tier, tiers.kox_tier) || ': pyramid '
    || coalesce(cast(pyramid.members as {{ dbt.type_string() }}), 'none') || ', drivers '
    || coalesce(cast(tiers.buyers as {{ dbt.type_string() }}), 'none') as problem
from pyramid
full outer join tiers on pyramid.kox_tier = tiers.kox_tier
where coalesce(pyramid.members, -1) != coalesce(tiers.buyers, -1)
