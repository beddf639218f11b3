-- The CLV inputs describe exactly the buyers of fct_members: the same members, the same first and
-- last purchase dates, net amounts that add up, and no more purchase days than purchases.
with

summaries as (
    select * from {{ ref('int_buyer_purchase_summary') }}
),

buyers as (
    select * from {{ ref('fct_members') }}
    where purchases_lifetime > 0
),

compared as (
    select
        coalesce(summaries.member_id, buyers.member_id) as member_id,
        summaries.frequency,
        buyers.purchases_lifetime,
        summaries.first_purchase_day_net_amount + summaries.repeat_net_amount as summary_net_amount,
        buyers.net_amount_lifetime,
        summaries.first_purchase_date as summary_first_purchase_date,
        buyers.first_purchase_date,
        summaries.last_purchase_date as summary_last_purchase_date,
        buyers.last_purchase_date
    from summaries
    full outer join buyers on summaries.member_id = buyers.member_id
)

select *
from compared
where
    frequency is null
    or purchases_lifetime is null
    or frequency > purchases_lifetime - 1
    or summary_net_amount <> net_amount_lifetime
    or summary_first_purchase_date <> first_purchase_date
    or summary_last_purchase_date <> last_purchase_date
