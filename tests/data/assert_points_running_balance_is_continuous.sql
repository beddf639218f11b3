-- The running balance is a running sum in ledger order: txn_seq runs 1..n without gaps,
-- the first transaction's balance is its points, and each later balance is the previous
-- balance plus the transaction's points.
with

ledger as (
    select
        member_id,
        txn_id,
        txn_seq,
        points,
        running_balance,
        lag(running_balance) over (partition by member_id order by txn_seq) as previous_balance,
        lag(txn_seq) over (partition by member_id order by txn_seq) as previous_seq,
        lag(txn_at) over (partition by member_id order by txn_seq) as previous_txn_at,
        lag(txn_id) over (partition by member_id order by txn_seq) as previous_txn_id,
        txn_at
    from {{ ref('fct_points_ledger') }}
)

select *
from ledger
where
    running_balance != coalesce(previous_balance, 0) + points
    or txn_seq != coalesce(previous_seq, 0) + 1
    or txn_at < previous_txn_at
    or (txn_at = previous_txn_at and txn_id < previous_txn_id)
