{#- Whether each first purchase was influenced by a KOC (spec C23 "通过用户(KOC)影响用户"): the buyer
    reacted to (liked, commented on, favorited or shared) a post published by a KOC in the
    first_order_koc_influence_days before the first purchase. A reaction names its post in
    content_id; the buyer's own posts do not count. -#}
{%- set influence_days = var('first_order_koc_influence_days') -%}
with

purchases as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

kocs as (
    select * from {{ ref('int_koc_members') }}
),

first_orders as (
    select
        member_id,
        ordered_at as first_order_at
    from purchases
    where is_first_purchase
),

-- posts published while their author was in the KOC programme
koc_posts as (
    select
        interactions.content_id as post_id,
        interactions.member_id as author_member_id
    from interactions
    inner join kocs
        on
            interactions.member_id = kocs.koc_member_id
            and interactions.occurred_at >= kocs.koc_since_at
    where interactions.event_type = 'ugc_post' and interactions.content_id is not null
),

reactions as (
    select
        interactions.member_id,
        interactions.occurred_at
    from interactions
    inner join koc_posts on interactions.content_id = koc_posts.post_id
    where
        interactions.event_family in ('light_interaction', 'share')
        and interactions.member_id != koc_posts.author_member_id
),

influenced as (
    select
        first_orders.member_id,
        count(*) as koc_reactions_before_first_order
    from first_orders
    inner join reactions
        on
            first_orders.member_id = reactions.member_id
            and first_orders.first_order_at >= reactions.occurred_at
            and {{ dbt.dateadd('day', -influence_days, 'first_orders.first_order_at') }}
            <= reactions.occurred_at
    group by first_orders.member_id
),

final as (
    select
        first_orders.member_id,
        coalesce(influenced.koc_reactions_before_first_order, 0) as koc_reactions_before_first_order,
        {{ influence_days }} as influence_window_days,
        influenced.member_id is not null as is_koc_influenced,
        first_orders.first_order_at
    from first_orders
    left join influenced on first_orders.member_id = influenced.member_id
)

select * from final
