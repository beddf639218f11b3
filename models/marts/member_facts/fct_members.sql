{%- set window_days = var('member_window_days') -%}
{%- set in_window = 'daily.activity_date >= as_of.window_start_date' -%}
with

members as (
    select * from {{ ref('int_members_as_of_date') }}
),

as_of as (
    select
        as_of_date,
        {{ dbt.dateadd('day', -(window_days - 1), 'as_of_date') }} as window_start_date
    from {{ ref('int_as_of_date') }}
),

daily as (
    select * from {{ ref('int_member_days_as_of_date') }}
),

posts as (
    select posts_with_metrics.*
    from {{ ref('int_ugc_posts_with_latest_metrics') }} as posts_with_metrics
    cross join as_of
    where posts_with_metrics.published_date <= as_of.as_of_date
),

referrals as (
    select * from {{ ref('int_referral_conversions_as_of_date') }}
),

nps_responses as (
    select
        interactions.member_id,
        interactions.score,
        row_number() over (
            partition by interactions.member_id
            order by interactions.occurred_at desc, interactions.event_id desc
        ) as recency_rank
    from {{ ref('int_interactions_as_of_date') }} as interactions
    where interactions.event_type = 'nps_response' and interactions.score is not null
),

activity as (
    select
        daily.member_id,
        sum(daily.purchases) as purchases_lifetime,
        {{ sum_if('daily.purchases > 0', '1') }} as purchase_days_lifetime,
        sum(daily.net_amount) as net_amount_lifetime,
        {{ sum_if(in_window, 'daily.purchases') }} as purchases_in_window,
        {{ sum_if(in_window, 'daily.net_amount') }} as net_amount_in_window,
        {{ sum_if(in_window, 'daily.logins') }} as logins_in_window,
        {{ sum_if(in_window, 'daily.likes') }} as likes_in_window,
        {{ sum_if(in_window, 'daily.comments') }} as comments_in_window,
        {{ sum_if(in_window, 'daily.favorites') }} as favorites_in_window,
        {{ sum_if(in_window, 'daily.shares') }} as shares_in_window,
        {{ sum_if(in_window, 'daily.ugc_posts') }} as ugc_posts_in_window,
        {{ sum_if(in_window, 'daily.activity_joins') }} as activity_joins_in_window,
        {{ sum_if(in_window, 'daily.check_ins') }} as check_ins_in_window,
        {{ sum_if(in_window, 'daily.referral_invites') }} as referral_invites_in_window,
        {{ sum_if(in_window, 'daily.complaints') }} as complaints_in_window,
        {{ sum_if(in_window, 'daily.surveys_completed') }} as surveys_completed_in_window,
        {{ sum_if(in_window, 'daily.nps_responses') }} as nps_responses_in_window,
        {{ sum_if(in_window ~ ' and daily.purchases > 0', '1') }} as purchase_days_in_window,
        sum(daily.seeding_activity_joins) as seeding_activity_joins_lifetime,
        {{ sum_if(in_window ~ ' and daily.is_active', '1') }}
            as active_days_in_window,
        min(case when daily.purchases > 0 then daily.activity_date end) as first_purchase_date,
        max(case when daily.purchases > 0 then daily.activity_date end) as last_purchase_date,
        max(case when daily.is_active then daily.activity_date end) as last_active_date
    from daily
    cross join as_of
    group by daily.member_id
),

content as (
    select
        posts.member_id,
        sum(posts.interactions) as ugc_interactions_received_in_window,
        sum(case when posts.is_public_domain then posts.exposures else 0 end) as public_exposures_in_window
    from posts
    cross join as_of
    where posts.published_date >= as_of.window_start_date
    group by posts.member_id
),

referral_conversions as (
    select
        referrals.referrer_member_id as member_id,
        count(*) as referrals_converted_lifetime,
        sum(
            case when referrals.conversion_date >= as_of.window_start_date then 1 else 0 end
        ) as referrals_converted_in_window
    from referrals
    cross join as_of
    group by referrals.referrer_member_id
),

final as (
    select
        members.member_id,
        coalesce(activity.purchases_lifetime, 0) as purchases_lifetime,
        coalesce(activity.purchase_days_lifetime, 0) as purchase_days_lifetime,
        coalesce(activity.purchases_in_window, 0) as purchases_in_window,
        coalesce(activity.net_amount_lifetime, 0) as net_amount_lifetime,
        coalesce(activity.net_amount_in_window, 0) as net_amount_in_window,
        -- divided in floating point on every engine (Spark's decimal division rounds to 6 places)
        case
            when coalesce(activity.purchases_lifetime, 0) > 0
                then cast(activity.net_amount_lifetime as {{ type_double() }}) / activity.purchases_lifetime
        end as average_order_value,
        {{ dbt.datediff('activity.last_purchase_date', 'as_of.as_of_date', 'day') }}
            as recency_days,
        {{ dbt.datediff('cast(members.member_since_at as date)', 'as_of.as_of_date', 'day') }}
            as tenure_days,
        coalesce(activity.active_days_in_window, 0) as active_days_in_window,
        coalesce(activity.logins_in_window, 0) as logins_in_window,
        coalesce(activity.likes_in_window, 0) as likes_in_window,
        coalesce(activity.comments_in_window, 0) as comments_in_window,
        coalesce(activity.favorites_in_window, 0) as favorites_in_window,
        coalesce(activity.shares_in_window, 0) as shares_in_window,
        coalesce(activity.ugc_posts_in_window, 0) as ugc_posts_in_window,
        coalesce(content.ugc_interactions_received_in_window, 0) as ugc_interactions_received_in_window,
        coalesce(content.public_exposures_in_window, 0) as public_exposures_in_window,
        coalesce(activity.activity_joins_in_window, 0) as activity_joins_in_window,
        coalesce(activity.seeding_activity_joins_lifetime, 0) as seeding_activity_joins_lifetime,
        coalesce(activity.check_ins_in_window, 0) as check_ins_in_window,
        coalesce(activity.referral_invites_in_window, 0) as referral_invites_in_window,
        coalesce(referral_conversions.referrals_converted_in_window, 0) as referrals_converted_in_window,
        coalesce(referral_conversions.referrals_converted_lifetime, 0) as referrals_converted_lifetime,
        coalesce(activity.complaints_in_window, 0) as complaints_in_window,
        coalesce(activity.surveys_completed_in_window, 0) as surveys_completed_in_window,
        coalesce(activity.nps_responses_in_window, 0) as nps_responses_in_window,
        coalesce(activity.purchase_days_in_window, 0) as purchase_days_in_window,
        nps_responses.score as latest_nps_score,
        {{ window_days }} as window_days,
        -- bought again on a later day than the first purchase (D62)
        coalesce(activity.purchase_days_lifetime, 0) >= 2 as is_repeat_customer,
        as_of.as_of_date,
        as_of.window_start_date,
        activity.first_purchase_date,
        activity.last_purchase_date,
        activity.last_active_date,
        members.registered_at
    from members
    cross join as_of
    left join activity on members.member_id = activity.member_id
    left join content on members.member_id = content.member_id
    left join referral_conversions on members.member_id = referral_conversions.member_id
    left join nps_responses on members.member_id = nps_responses.member_id and nps_responses.recency_rank = 1
)

{{ select_declared_types('final') }}
