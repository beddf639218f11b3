{#- Every deposit into and withdrawal from a member's emotional account (spec C16) up to as_of_date,
    one row per touch, by the rules of seed ref_emotional_account_rules: matching interactions,
    orders with a refund (dated by the order: the contract has no refund time), and generic
    notifications beyond emotional_msg_weekly_cap per member and calendar week. -#}
{%- set weekly_cap = var('emotional_msg_weekly_cap') -%}
{%- if weekly_cap is not integer or weekly_cap < 0 -%}
    {{ exceptions.raise_compiler_error(
        "var 'emotional_msg_weekly_cap' must be a whole number of messages >= 0, got " ~ weekly_cap) }}
{%- endif -%}
with

rules as (
    select * from {{ ref('ref_emotional_account_rules') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

orders as (
    select * from {{ ref('int_orders_sequenced') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

interaction_touches as (
    select
        interactions.member_id,
        rules.rule_key,
        rules.direction,
        interactions.event_id as touch_id,
        interactions.occurred_at as touched_at
    from interactions
    inner join rules
        on
            rules.rule_source = 'interaction'
            and interactions.event_type = rules.event_type
            and (rules.message_type is null or interactions.message_type = rules.message_type)
            and (rules.score_min is null or interactions.score >= rules.score_min)
            and (rules.score_max is null or interactions.score <= rules.score_max)
),

refund_touches as (
    select
        orders.member_id,
        rules.rule_key,
        rules.direction,
        orders.order_id as touch_id,
        orders.ordered_at as touched_at
    from orders
    cross join as_of
    inner join rules on rules.rule_source = 'refund'
    where orders.refund_amount > 0 and orders.order_date <= as_of.as_of_date
),

-- the n-th message of its type the member received in its calendar week
weekly_messages as (
    select
        interactions.member_id,
        rules.rule_key,
        rules.direction,
        interactions.event_id as touch_id,
        interactions.occurred_at as touched_at,
        row_number() over (
            partition by
                interactions.member_id,
                rules.rule_key,
                {{ dbt.date_trunc('week', 'interactions.occurred_at') }}
            order by interactions.occurred_at, interactions.event_id
        ) as week_message_seq
    from interactions
    inner join rules
        on
            rules.rule_source = 'notification_over_cap'
            and interactions.event_type = rules.event_type
            and (rules.message_type is null or interactions.message_type = rules.message_type)
),

final as (
    select * from interaction_touches
    union all
    select * from refund_touches
    union all
    select
        member_id,
        rule_key,
        direction,
        touch_id,
        touched_at
    from weekly_messages
    where week_message_seq > {{ weekly_cap }}
)

select * from final
