{{
    config(
        materialized='incremental',
        unique_key=['member_id', 'activity_month'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

daily as (
    select * from {{ ref('int_member_daily_activity') }}
    {% if is_incremental() %}
        where activity_date >= (
            select cast({{ dbt.date_trunc('month', dbt.dateadd('day', -var('incremental_lookback_days'), 'max(activity_month)')) }} as date)
            from {{ this }}
        )
    {% endif %}
),

final as (
    select
        member_id,
        sum(purchases) as purchases,
        sum(net_amount) as net_amount,
        sum(case when is_active then 1 else 0 end) as active_days,
        sum(member_events) as member_events,
        sum(logins) as logins,
        sum(case when logins > 0 then 1 else 0 end) as login_days,
        sum(likes) as likes,
        sum(comments) as comments,
        sum(favorites) as favorites,
        sum(shares) as shares,
        sum(ugc_posts) as ugc_posts,
        sum(activity_joins) as activity_joins,
        sum(check_ins) as check_ins,
        sum(referral_invites) as referral_invites,
        sum(messages_received) as messages_received,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as activity_month
    from daily
    group by member_id, cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
)

select * from final
