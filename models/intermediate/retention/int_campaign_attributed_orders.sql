{#- Purchases attributed to a campaign: the order's own campaign_id, else the campaign the buyer
    touched last within campaign_attribution_days before the order (last touch). -#}
with

orders as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

touches as (
    select * from {{ ref('int_campaign_touches') }}
),

purchases as (
    select
        order_id,
        member_id,
        campaign_id,
        net_amount,
        ordered_at
    from orders
),

window_touches as (
    select
        purchases.order_id,
        touches.campaign_id,
        row_number() over (
            partition by purchases.order_id
            order by touches.touched_at desc, touches.campaign_id desc
        ) as touch_rank
    from purchases
    inner join touches
        on
            purchases.member_id = touches.member_id
            and purchases.ordered_at >= touches.touched_at
            and purchases.ordered_at
            <= {{ dbt.dateadd('day', var('campaign_attribution_days'), 'touches.touched_at') }}
    where purchases.campaign_id is null
),

final as (
    select
        purchases.order_id,
        purchases.member_id,
        coalesce(purchases.campaign_id, window_touches.campaign_id) as campaign_id,
        case when purchases.campaign_id is not null then 'order_campaign' else 'last_touch_window' end
            as attribution_method,
        purchases.net_amount,
        purchases.ordered_at
    from purchases
    left join window_touches
        on
            purchases.order_id = window_touches.order_id
            and window_touches.touch_rank = 1
    where purchases.campaign_id is not null or window_touches.campaign_id is not null
)

select * from final
