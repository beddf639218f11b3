{#- The referred members whose first purchase (the referral's conversion) falls on or before
    as_of_date, with their referrer and as_of_date on every row. -#}
with

referrals as (
    select * from {{ ref('int_referrals_converted').include(database=False) }}
),

as_of as (
    select * from {{ ref('int_as_of_date').include(database=False) }}
),

final as (
    select
        referrals.referred_member_id,
        referrals.referrer_member_id,
        cast(referrals.first_purchase_at as date) as conversion_date,
        referrals.first_purchase_at,
        as_of.as_of_date
    from referrals
    cross join as_of
    where referrals.is_converted and cast(referrals.first_purchase_at as date) <= as_of.as_of_date
)

select * from final
