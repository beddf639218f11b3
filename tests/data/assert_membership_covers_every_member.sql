-- DQ-X01 / DQ-P02: exactly one level row per member of fct_members (uniqueness and the
-- reverse direction are column tests; this catches members left out).
select members.member_id
from {{ ref('fct_members') }} as members
left join {{ ref('fct_membership_levels') }} as levels on members.member_id = levels.member_id
where levels.member_id is null
