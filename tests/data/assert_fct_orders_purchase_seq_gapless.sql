-- Each buyer's purchases are numbered 1..n without gaps, with exactly one first purchase.
with

purchases as (
    select * from {{ ref('fct_orders') }}
    where is_purchase
),

per_member as (
    select
        member_id,
        count(*) as purchases,
        max(purchase_seq) as max_seq,
        count(distinct purchase_seq) as distinct_seqs,
        sum(case when is_first_purchase then 1 else 0 end) as first_purchases
    from purchases
    group by member_id
)

select *
from per_member
where
    max_seq != purchases
    or distinct_seqs != purchases
    or first_purchases != 1
