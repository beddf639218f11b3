-- Every points_redeem event on or before as_of_date of a member in fct_members is a
-- redemption in the ledger, debiting exactly its points - applied to the balance, or unfunded
-- when the quarantine held back what earned them (D61): a redemption with missing points
-- is not silently dropped.
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

redemptions as (
    select
        interactions.event_id,
        interactions.points
    from {{ ref('fct_interactions') }} as interactions
    cross join as_of
    inner join {{ ref('fct_members') }} as members on interactions.member_id = members.member_id
    where interactions.event_type = 'points_redeem' and interactions.event_date <= as_of.as_of_date
),

ledger_redemptions as (
    select
        event_id,
        points - unfunded_points as points
    from {{ ref('fct_points_ledger') }}
    where reason = 'redemption'
)

select
    coalesce(redemptions.event_id, ledger_redemptions.event_id) as event_id,
    redemptions.points as event_points,
    ledger_redemptions.points as ledger_points
from redemptions
full outer join ledger_redemptions on redemptions.event_id = ledger_redemptions.event_id
where
    redemptions.event_id is null
    or ledger_redemptions.event_id is null
    or ledger_redemptions.points != -1 * abs(redemptions.points)
