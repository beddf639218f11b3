{{
    config(
        materialized='incremental',
        unique_key=['member_id', 'activity_date'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
        post_hook="{{ delete_stale_rows('stale.purchases > 0 and not exists (select 1 from ' ~ ref('stg_raw__orders') ~ ' as staged where staged.is_purchase and staged.member_id = stale.member_id and staged.order_date = stale.activity_date)') }}"
    )
}}

{%- if is_incremental() %}
{#- the days whose purchases changed, whatever their date (an old order corrected or held back) -#}
{%- set changed_days = purchase_days_changed(ref('stg_raw__orders')) -%}
{%- endif %}

with

orders as (
    select staged_orders.* from {{ ref('stg_raw__orders') }} as staged_orders
    {% if is_incremental() %}
        where
            staged_orders.order_date >= {{ incremental_cutoff('activity_date') }}
            or exists (
                select 1 from ({{ changed_days }}) as changed
                where
                    changed.member_id = staged_orders.member_id
                    and changed.activity_date = staged_orders.order_date
            )
    {% endif %}
),

interactions as (
    select staged_events.* from {{ ref('stg_raw__interactions') }} as staged_events
    {% if is_incremental() %}
        where
            staged_events.event_date >= {{ incremental_cutoff('activity_date') }}
            or exists (
                select 1 from ({{ changed_days }}) as changed
                where
                    changed.member_id = staged_events.member_id
                    and changed.activity_date = staged_events.event_date
            )
    {% endif %}
),

event_types as (
    select * from {{ ref('ref_event_types') }}
),

purchases_by_day as (
    select
        member_id,
        order_date as activity_date,
        count(*) as purchases,
        cast(sum(net_amount) as {{ type_amount() }}) as net_amount
    from orders
    where is_purchase
    group by member_id, order_date
),

events_by_day as (
    select
        interactions.member_id,
        interactions.event_date as activity_date,
        {{ count_if("event_types.is_member_initiated") }} as member_events,
        {{ count_if("event_types.event_family = 'login'") }} as logins,
        {{ count_if("interactions.event_type = 'content_view'") }} as content_views,
        {{ count_if("interactions.event_type = 'like'") }} as likes,
        {{ count_if("interactions.event_type = 'comment'") }} as comments,
        {{ count_if("interactions.event_type = 'favorite'") }} as favorites,
        {{ count_if("interactions.event_type = 'share'") }} as shares,
        {{ count_if("interactions.event_type = 'ugc_post'") }} as ugc_posts,
        {{ count_if("event_types.event_family = 'activity'") }} as activity_joins,
        {{ count_if("interactions.event_type = 'seeding_activity_join'") }} as seeding_activity_joins,
        {{ count_if("interactions.event_type = 'check_in'") }} as check_ins,
        {{ count_if("interactions.event_type = 'referral_invite'") }} as referral_invites,
        {{ count_if("interactions.event_type = 'complaint'") }} as complaints,
        {{ count_if("interactions.event_type = 'survey_completed'") }} as surveys_completed,
        {{ count_if("interactions.event_type = 'nps_response'") }} as nps_responses,
        {{ count_if("interactions.event_type = 'message_received'") }} as messages_received
    from interactions
    inner join event_types on interactions.event_type = event_types.event_type
    group by interactions.member_id, interactions.event_date
),

member_days as (
    select
        member_id,
        activity_date
    from purchases_by_day
    union
    select
        member_id,
        activity_date
    from events_by_day
),

final as (
    select
        member_days.member_id,
        coalesce(purchases_by_day.purchases, 0) as purchases,
        coalesce(purchases_by_day.net_amount, 0) as net_amount,
        coalesce(events_by_day.member_events, 0) as member_events,
        coalesce(events_by_day.logins, 0) as logins,
        coalesce(events_by_day.content_views, 0) as content_views,
        coalesce(events_by_day.likes, 0) as likes,
        coalesce(events_by_day.comments, 0) as comments,
        coalesce(events_by_day.favorites, 0) as favorites,
        coalesce(events_by_day.shares, 0) as shares,
        coalesce(events_by_day.ugc_posts, 0) as ugc_posts,
        coalesce(events_by_day.activity_joins, 0) as activity_joins,
        coalesce(events_by_day.seeding_activity_joins, 0) as seeding_activity_joins,
        coalesce(events_by_day.check_ins, 0) as check_ins,
        coalesce(events_by_day.referral_invites, 0) as referral_invites,
        coalesce(events_by_day.complaints, 0) as complaints,
        coalesce(events_by_day.surveys_completed, 0) as surveys_completed,
        coalesce(events_by_day.nps_responses, 0) as nps_responses,
        coalesce(events_by_day.messages_received, 0) as messages_received,
        (
            coalesce(purchases_by_day.purchases, 0) > 0
            or coalesce(events_by_day.member_events, 0) > 0
        ) as is_active,
        member_days.activity_date
    from member_days
    left join purchases_by_day
        on
            member_days.member_id = purchases_by_day.member_id
            and member_days.activity_date = purchases_by_day.activity_date
    left join events_by_day
        on
            member_days.member_id = events_by_day.member_id
            and member_days.activity_date = events_by_day.activity_date
)

select * from final
