-- DQ-P04: the points balance of every member is the running_balance of the member's last
-- ledger transaction, and 0 for members without transactions.
with

levels as (
    select * from {{ ref('fct_membership_levels') }}
),

last_transactions as (
    select
        member_id,
        running_balance
    from {{ ref('fct_points_ledger') }} as ledger
    where txn_seq = (
        select max(later.txn_seq)
        from {{ ref('fct_points_ledger') }} as later
        where later.member_id = ledger.member_id
    )
)

select
    levels.member_id,
    levels.points_balance,
    last_transactions.running_balance as last_running_balance
from levels
left join last_transactions on levels.member_id = last_transactions.member_id
where levels.points_balance != coalesce(last_transactions.running_balance, 0)
