{#- The inputs of the tier rules for every buyer at every evaluation date: the same
    measures fct_members and fct_member_rfm compute as of as_of_date, here as of each
    month end, so tier history exists for months before any snapshot began. -#}
{%- set rfm_days = var('rfm_window_days') -%}
{%- set member_days = var('member_window_days') -%}
{%- set in_rfm_window -%}
    daily.activity_date >= {{ dbt.dateadd('day', -(rfm_days - 1), 'evaluations.evaluation_date') }}
{%- endset -%}
{%- set in_member_window -%}
    daily.activity_date >= {{ dbt.dateadd('day', -(member_days - 1), 'evaluations.evaluation_date') }}
{%- endset -%}
with

evaluations as (
    select * from {{ ref('int_tier_evaluation_dates') }}
),

-- only the days that move a tier input
daily as (
    select
        member_id,
        purchases,
        net_amount,
        shares,
        ugc_posts,
        activity_date
    from {{ ref('int_member_daily_activity') }}
    where purchases > 0 or shares > 0 or ugc_posts > 0
),

conversions as (
    select
        referrer_member_id as member_id,
        conversion_date
    from {{ ref('int_referral_conversions_as_of_date') }}
),

activity as (
    select
        daily.member_id,
        evaluations.month_start,
        evaluations.evaluation_date,
        sum(daily.purchases) as purchases_lifetime,
        {{ sum_if('daily.purchases > 0', '1') }} as purchase_days_lifetime,
        {{ sum_if(in_rfm_window, 'daily.purchases') }} as frequency,
        {{ sum_if(in_rfm_window, 'daily.net_amount') }} as monetary,
        {{ sum_if(in_member_window, 'daily.purchases') }} as purchases_in_window,
        {{ sum_if(in_member_window, 'daily.net_amount') }} as net_amount_in_window,
        {{ sum_if(in_member_window, 'daily.shares') }} as shares_in_window,
        {{ sum_if(in_member_window, 'daily.ugc_posts') }} as ugc_posts_in_window,
        max(case when daily.purchases > 0 then daily.activity_date end) as last_purchase_date
    from daily
    inner join evaluations on daily.activity_date <= evaluations.evaluation_date
    group by daily.member_id, evaluations.month_start, evaluations.evaluation_date
),

referrals as (
    select
        conversions.member_id,
        evaluations.evaluation_date,
        count(*) as referrals_converted_in_window
    from conversions
    inner join evaluations
        on
            conversions.conversion_date <= evaluations.evaluation_date
            and conversions.conversion_date
            >= {{ dbt.dateadd('day', -(member_days - 1), 'evaluations.evaluation_date') }}
    group by conversions.member_id, evaluations.evaluation_date
),

final as (
    select
        activity.member_id,
        {{ dbt.datediff('activity.last_purchase_date', 'activity.evaluation_date', 'day') }}
            as recency_days,
        activity.frequency,
        activity.monetary,
        activity.purchases_lifetime,
        activity.purchase_days_lifetime,
        activity.purchases_in_window,
        activity.net_amount_in_window,
        activity.shares_in_window,
        activity.ugc_posts_in_window,
        coalesce(referrals.referrals_converted_in_window, 0) as referrals_converted_in_window,
        activity.month_start,
        activity.evaluation_date,
        activity.last_purchase_date
    from activity
    left join referrals
        on
            activity.member_id = referrals.member_id
            and activity.evaluation_date = referrals.evaluation_date
    where activity.purchases_lifetime > 0
)

select * from final
