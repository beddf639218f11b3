-- The days on which stickiness counts a member as points-active are exactly the days the points
-- ledger records a transaction moving points for them (recorded points = applied - unfunded).
with

points_days as (
    select * from {{ ref('int_member_points_days') }}
),

ledger_days as (
    select distinct
        member_id,
        txn_date as points_date
    from {{ ref('fct_points_ledger') }}
    where points - unfunded_points <> 0
)

select
    coalesce(points_days.member_id, ledger_days.member_id) as member_id,
    coalesce(points_days.points_date, ledger_days.points_date) as points_date,
    points_days.member_id is null as missing_from_points_days,
    ledger_days.member_id is null as missing_from_ledger
from points_days
full outer join ledger_days
    on
        points_days.member_id = ledger_days.member_id
        and points_days.points_date = ledger_days.points_date
where points_days.member_id is null or ledger_days.member_id is null
