-- The new customers a member brought in, summed over the energy months, equal
-- fct_members.referrals_converted_lifetime (both: first purchase on or before as_of_date).
with

energy as (
    select
        member_id,
        sum(new_members_referred) as new_members_referred
    from {{ ref('fct_energy_points') }}
    group by member_id
),

members as (
    select
        member_id,
        referrals_converted_lifetime
    from {{ ref('fct_members') }}
    where referrals_converted_lifetime > 0
)

select
    coalesce(members.member_id, energy.member_id) as member_id,
    members.referrals_converted_lifetime,
    energy.new_members_referred
from members
full outer join energy on members.member_id = energy.member_id
where coalesce(members.referrals_converted_lifetime, 0) != coalesce(energy.new_members_referred, 0)
