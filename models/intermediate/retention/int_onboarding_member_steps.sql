{#- When each member reached each onboarding step of the ref_onboarding_steps seed (domain spec C23):
    the first time on or after the window anchor (registration, or the first order for the post-order
    survey) and within onboarding_window_days of it, up to as_of_date. -#}
with

members as (
    select * from {{ ref('int_members_as_of_date') }}
),

purchases as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

steps as (
    select * from {{ ref('ref_onboarding_steps') }}
),

acquired as (
    select
        member_id,
        acquisition_channel,
        registered_at as acquired_at,
        wecom_followed_at,
        group_joined_at,
        as_of_date
    from members
    where cast(registered_at as date) <= as_of_date
),

first_orders as (
    select
        member_id,
        contains_traffic_product,
        ordered_at as first_order_at
    from purchases
    where is_first_purchase
),

-- candidate times per member and step: matching events, the member's own follow / group timestamps
-- and the first order
candidates as (
    select
        interactions.member_id,
        steps.step,
        interactions.occurred_at as reached_at
    from interactions
    inner join steps
        on
            interactions.event_type = steps.event_type
            and (steps.content_id is null or interactions.content_id = steps.content_id)
    union all
    select
        member_id,
        'wecom_followed' as step,
        wecom_followed_at as reached_at
    from acquired
    where wecom_followed_at is not null
    union all
    select
        member_id,
        'group_joined' as step,
        group_joined_at as reached_at
    from acquired
    where group_joined_at is not null
    union all
    select
        member_id,
        'first_order' as step,
        first_order_at as reached_at
    from first_orders
    union all
    select
        member_id,
        'acquired' as step,
        acquired_at as reached_at
    from acquired
),

member_steps as (
    select
        acquired.member_id,
        acquired.acquisition_channel,
        steps.step_order,
        steps.step,
        steps.window_anchor,
        acquired.acquired_at,
        acquired.as_of_date,
        case when steps.window_anchor = 'first_order' then first_orders.first_order_at else acquired.acquired_at end
            as anchor_at
    from acquired
    cross join steps
    left join first_orders on acquired.member_id = first_orders.member_id
),

reached as (
    select
        member_steps.member_id,
        member_steps.step,
        min(candidates.reached_at) as reached_at
    from member_steps
    inner join candidates
        on
            member_steps.member_id = candidates.member_id
            and member_steps.step = candidates.step
            and member_steps.anchor_at <= candidates.reached_at
            and candidates.reached_at
            <= {{ dbt.dateadd('day', var('onboarding_window_days'), 'member_steps.anchor_at') }}
            and cast(candidates.reached_at as date) <= member_steps.as_of_date
    group by member_steps.member_id, member_steps.step
),

flagged as (
    select
        member_steps.member_id,
        member_steps.acquisition_channel,
        member_steps.step_order,
        member_steps.step,
        reached.reached_at is not null as is_reached,
        member_steps.acquired_at,
        reached.reached_at
    from member_steps
    left join reached
        on
            member_steps.member_id = reached.member_id
            and member_steps.step = reached.step
),

final as (
    select
        member_id,
        acquisition_channel,
        step_order,
        step,
        {{ dbt.datediff('acquired_at', 'reached_at', 'day') }}
            as days_from_acquisition,
        is_reached,
        -- strict funnel: this step and every earlier step reached (in any order in time)
        sum(case when is_reached then 0 else 1 end) over (
            partition by member_id
            order by step_order
            rows between unbounded preceding and current row
        ) = 0 as is_reached_strict,
        cast({{ dbt.date_trunc('week', 'acquired_at') }} as date) as acquisition_week,
        acquired_at,
        reached_at
    from flagged
)

select * from final
