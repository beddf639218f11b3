-- DQ-L01 / DQ-X01: fct_member_lifecycle has exactly the members of fct_members, no more, no fewer
-- (uniqueness of member_id is a separate test).
with

lifecycle as (
    select member_id from {{ ref('fct_member_lifecycle') }}
),

members as (
    select member_id from {{ ref('fct_members') }}
),

compared as (
    select
        coalesce(lifecycle.member_id, members.member_id) as member_id,
        lifecycle.member_id is not null as is_in_lifecycle,
        members.member_id is not null as is_in_fct_members
    from lifecycle
    full outer join members on lifecycle.member_id = members.member_id
)

select *
from compared
where not (is_in_lifecycle and is_in_fct_members)
