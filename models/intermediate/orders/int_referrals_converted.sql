with

members as (
    select * from {{ ref('stg_raw__members') }}
),

orders as (
    select * from {{ ref('int_orders_sequenced') }}
),

first_purchases as (
    select
        member_id,
        ordered_at as first_purchase_at
    from orders
    where is_first_purchase
),

final as (
    select
        members.member_id as referred_member_id,
        members.referrer_member_id,
        first_purchases.first_purchase_at is not null as is_converted,
        members.registered_at,
        first_purchases.first_purchase_at
    from members
    left join first_purchases on members.member_id = first_purchases.member_id
    where members.referrer_member_id is not null
)

select * from final
