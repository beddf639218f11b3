{#- The member-fact measures of every member at every evaluation date (each month end, or as_of_date
    in the as-of month): the measures fct_members computes as of as_of_date, here as of each month
    end, published as member_facts.fct_member_monthly and read by the tier history.
    Lifetime measures are running sums of monthly totals; window measures join each evaluation date
    to the days of its trailing windows only, so the join stays bounded by the longest window. -#}
{%- set rfm_days = var('rfm_window_days') -%}
{%- set member_days = var('member_window_days') -%}
{%- set longest_days = [rfm_days, member_days] | max -%}
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

members as (
    select * from {{ ref('int_members_as_of_date') }}
),

daily as (
    select * from {{ ref('int_member_days_as_of_date') }}
),

conversions as (
    select
        referrer_member_id as member_id,
        conversion_date
    from {{ ref('int_referral_conversions_as_of_date') }}
),

-- every member at every evaluation date on or after the day they became a member
member_months as (
    select
        members.member_id,
        evaluations.month_start,
        evaluations.evaluation_date,
        evaluations.is_as_of_month,
        cast(members.member_since_at as date) as member_since_date
    from members
    inner join evaluations on cast(members.member_since_at as date) <= evaluations.evaluation_date
),

monthly_totals as (
    select
        member_id,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as month_start,
        sum(purchases) as purchases,
        {{ sum_if('purchases > 0', '1') }} as purchase_days,
        sum(net_amount) as net_amount,
        min(case when purchases > 0 then activity_date end) as first_purchase_date,
        max(case when purchases > 0 then activity_date end) as last_purchase_date,
        max(case when is_active then activity_date end) as last_active_date
    from daily
    group by member_id, cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
),

-- lifetime measures: running totals over the member's months (a month's days all fall on or
-- before its evaluation date, because the daily activity is cut at as_of_date)
lifetime as (
    select
        member_months.member_id,
        member_months.evaluation_date,
        sum(coalesce(monthly_totals.purchases, 0)) over (
            partition by member_months.member_id order by member_months.month_start
            rows between unbounded preceding and current row
        ) as purchases_lifetime,
        sum(coalesce(monthly_totals.purchase_days, 0)) over (
            partition by member_months.member_id order by member_months.month_start
            rows between unbounded preceding and current row
        ) as purchase_days_lifetime,
        sum(coalesce(monthly_totals.net_amount, 0)) over (
            partition by member_months.member_id order by member_months.month_start
            rows between unbounded preceding and current row
        ) as net_amount_lifetime,
        min(monthly_totals.first_purchase_date) over (
            partition by member_months.member_id order by member_months.month_start
            rows between unbounded preceding and current row
        ) as first_purchase_date,
        max(monthly_totals.last_purchase_date) over (
            partition by member_months.member_id order by member_months.month_start
            rows between unbounded preceding and current row
        ) as last_purchase_date,
        max(monthly_totals.last_active_date) over (
            partition by member_months.member_id order by member_months.month_start
            rows between unbounded preceding and current row
        ) as last_active_date
    from member_months
    left join monthly_totals
        on
            member_months.member_id = monthly_totals.member_id
            and member_months.month_start = monthly_totals.month_start
),

-- window measures: only the days of the longest trailing window ending on the evaluation date
windowed as (
    select
        daily.member_id,
        evaluations.evaluation_date,
        {{ sum_count_if(in_rfm_window, 'daily.purchases') }} as purchases_in_rfm_window,
        {{ sum_amount_if(in_rfm_window, 'daily.net_amount') }} as net_amount_in_rfm_window,
        {{ sum_count_if(in_member_window, 'daily.purchases') }} as purchases_in_window,
        {{ count_if(in_member_window ~ ' and daily.purchases > 0') }} as purchase_days_in_window,
        {{ sum_amount_if(in_member_window, 'daily.net_amount') }} as net_amount_in_window,
        {{ count_if(in_member_window ~ ' and daily.is_active') }} as active_days_in_window,
        {{ sum_count_if(in_member_window, 'daily.logins') }} as logins_in_window,
        {{ sum_count_if(in_member_window, 'daily.likes') }} as likes_in_window,
        {{ sum_count_if(in_member_window, 'daily.comments') }} as comments_in_window,
        {{ sum_count_if(in_member_window, 'daily.favorites') }} as favorites_in_window,
        {{ sum_count_if(in_member_window, 'daily.shares') }} as shares_in_window,
        {{ sum_count_if(in_member_window, 'daily.ugc_posts') }} as ugc_posts_in_window,
        {{ sum_count_if(in_member_window, 'daily.activity_joins') }} as activity_joins_in_window,
        {{ sum_count_if(in_member_window, 'daily.check_ins') }} as check_ins_in_window,
        {{ sum_count_if(in_member_window, 'daily.referral_invites') }} as referral_invites_in_window,
        {{ sum_count_if(in_member_window, 'daily.complaints') }} as complaints_in_window
    from daily
    inner join evaluations
        on
            daily.activity_date <= evaluations.evaluation_date
            and daily.activity_date >= {{ dbt.dateadd('day', -(longest_days - 1), 'evaluations.evaluation_date') }}
    group by daily.member_id, evaluations.evaluation_date
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
        member_months.member_id,
        -- running sums stored at their own types (DuckDB widens sums to 128 bits; see count_if)
        cast(lifetime.purchases_lifetime as {{ dbt.type_bigint() }}) as purchases_lifetime,
        cast(lifetime.purchase_days_lifetime as {{ dbt.type_bigint() }}) as purchase_days_lifetime,
        cast(lifetime.net_amount_lifetime as {{ type_amount() }}) as net_amount_lifetime,
        coalesce(windowed.purchases_in_rfm_window, 0) as purchases_in_rfm_window,
        coalesce(windowed.net_amount_in_rfm_window, 0) as net_amount_in_rfm_window,
        coalesce(windowed.purchases_in_window, 0) as purchases_in_window,
        coalesce(windowed.purchase_days_in_window, 0) as purchase_days_in_window,
        coalesce(windowed.net_amount_in_window, 0) as net_amount_in_window,
        {{ dbt.datediff('lifetime.last_purchase_date', 'member_months.evaluation_date', 'day') }}
            as recency_days,
        {{ dbt.datediff('member_months.member_since_date', 'member_months.evaluation_date', 'day') }}
            as tenure_days,
        coalesce(windowed.active_days_in_window, 0) as active_days_in_window,
        coalesce(windowed.logins_in_window, 0) as logins_in_window,
        coalesce(windowed.likes_in_window, 0) as likes_in_window,
        coalesce(windowed.comments_in_window, 0) as comments_in_window,
        coalesce(windowed.favorites_in_window, 0) as favorites_in_window,
        coalesce(windowed.shares_in_window, 0) as shares_in_window,
        coalesce(windowed.ugc_posts_in_window, 0) as ugc_posts_in_window,
        coalesce(windowed.activity_joins_in_window, 0) as activity_joins_in_window,
        coalesce(windowed.check_ins_in_window, 0) as check_ins_in_window,
        coalesce(windowed.referral_invites_in_window, 0) as referral_invites_in_window,
        coalesce(referrals.referrals_converted_in_window, 0) as referrals_converted_in_window,
        coalesce(windowed.complaints_in_window, 0) as complaints_in_window,
        {{ member_days }} as window_days,
        {{ rfm_days }} as rfm_window_days,
        -- bought again on a later day than the first purchase (D62)
        lifetime.purchase_days_lifetime >= 2 as is_repeat_customer,
        member_months.is_as_of_month,
        member_months.month_start,
        member_months.evaluation_date,
        lifetime.first_purchase_date,
        lifetime.last_purchase_date,
        lifetime.last_active_date
    from member_months
    inner join lifetime
        on
            member_months.member_id = lifetime.member_id
            and member_months.evaluation_date = lifetime.evaluation_date
    left join windowed
        on
            member_months.member_id = windowed.member_id
            and member_months.evaluation_date = windowed.evaluation_date
    left join referrals
        on
            member_months.member_id = referrals.member_id
            and member_months.evaluation_date = referrals.evaluation_date
)

select * from final
