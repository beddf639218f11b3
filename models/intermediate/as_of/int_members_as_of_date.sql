{#- The staged members who are members at as_of_date, with as_of_date on every row: registered by
    then, or already buying - a customer who ordered before registering (a store customer who joined
    WeCom later) is a member from the first order on, so those purchases are never dropped. -#}
with

members as (
    select * from {{ ref('stg_raw__members').include(database=False) }}
),

first_purchases as (
    select
        member_id,
        min(ordered_at) as first_purchase_at
    from {{ ref('int_orders_sequenced').include(database=False) }}
    where is_purchase
    group by member_id
),

as_of as (
    select * from {{ ref('int_as_of_date').include(database=False) }}
),

joined as (
    select
        members.*,
        case
            when first_purchases.first_purchase_at < members.registered_at then first_purchases.first_purchase_at
            else members.registered_at
        end as member_since_at
    from members
    left join first_purchases on members.member_id = first_purchases.member_id
),

final as (
    select
        joined.*,
        as_of.as_of_date
    from joined
    cross join as_of
    where cast(joined.member_since_at as date) <= as_of.as_of_date
)

-- every column of the source passes through, so the column count is the source's
select * from final  -- noqa: AM04
