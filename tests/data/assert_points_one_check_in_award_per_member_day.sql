-- DQ-P06: at most one check-in award per member per day, and every day with a check-in
-- event on or before as_of_date (for a member in fct_members) has one.
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

check_in_days as (
    select distinct
        interactions.member_id,
        interactions.event_date
    from {{ ref('fct_interactions') }} as interactions
    cross join as_of
    inner join {{ ref('fct_members') }} as members on interactions.member_id = members.member_id
    where interactions.event_type = 'check_in' and interactions.event_date <= as_of.as_of_date
),

awards as (
    select
        member_id,
        txn_date,
        count(*) as awards
    from {{ ref('fct_points_ledger') }}
    where reason = 'check_in'
    group by member_id, txn_date
)

select
    coalesce(check_in_days.member_id, awards.member_id) as member_id,
    coalesce(check_in_days.event_date, awards.txn_date) as check_in_date,
    awards.awards
from check_in_days
full outer join awards
    on
        check_in_days.member_id = awards.member_id
        and check_in_days.event_date = awards.txn_date
where awards.awards is null or awards.awards != 1 or check_in_days.member_id is null
