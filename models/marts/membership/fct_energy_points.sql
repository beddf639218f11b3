{#- Energy points (能量积分) per member and calendar month, spec C17 / DQ-K09..K10:
    consumption + capped interaction + content points, multiplied by 1 + the social
    fission coefficient earned by bringing in new customers that month. -#}
{%- set numeric = dbt.type_numeric() -%}
{%- set points_per_currency_unit = var('points_per_currency_unit') -%}
{%- set interaction_pts = var('energy_interaction_pts') -%}
{%- set interaction_cap = var('energy_interaction_cap') -%}
{%- set content_pts = var('energy_content_pts') -%}
{%- set fission_alpha = var('energy_fission_alpha') -%}
{%- set fission_cap = var('energy_fission_cap') -%}
with

-- daily rather than monthly activity, so that the as_of_date month stops at as_of_date
daily as (
    select * from {{ ref('int_member_days_as_of_date') }}
),

referrals as (
    select * from {{ ref('int_referral_conversions_as_of_date') }}
),

monthly_activity as (
    select
        member_id,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as activity_month,
        cast(sum(purchases) as {{ dbt.type_bigint() }}) as purchases,
        sum(net_amount) as net_amount,
        cast(sum(likes) as {{ dbt.type_bigint() }}) as likes,
        cast(sum(comments) as {{ dbt.type_bigint() }}) as comments,
        -- a check-in is a daily act: a second check-in on the same day adds nothing
        cast(sum(case when check_ins > 0 then 1 else 0 end) as {{ dbt.type_bigint() }}) as check_in_days,
        cast(sum(activity_joins) as {{ dbt.type_bigint() }}) as activity_joins,
        sum(ugc_posts) as ugc_posts
    from daily
    group by member_id, cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
),

-- new customers brought in: referred members whose first purchase falls in the month
monthly_referrals as (
    select
        referrer_member_id as member_id,
        cast({{ dbt.date_trunc('month', 'first_purchase_at') }} as date) as activity_month,
        count(*) as new_members_referred
    from referrals
    group by referrer_member_id, cast({{ dbt.date_trunc('month', 'first_purchase_at') }} as date)
),

member_months as (
    select
        member_id,
        activity_month
    from monthly_activity
    union
    select
        member_id,
        activity_month
    from monthly_referrals
),

counted as (
    select
        member_months.member_id,
        coalesce(monthly_activity.purchases, 0) as purchases,
        coalesce(monthly_activity.net_amount, 0) as net_amount,
        coalesce(monthly_activity.likes, 0) as likes,
        coalesce(monthly_activity.comments, 0) as comments,
        coalesce(monthly_activity.check_in_days, 0) as check_in_days,
        coalesce(monthly_activity.activity_joins, 0) as activity_joins,
        coalesce(monthly_activity.likes, 0)
        + coalesce(monthly_activity.comments, 0)
        + coalesce(monthly_activity.check_in_days, 0)
        + coalesce(monthly_activity.activity_joins, 0) as interaction_count,
        coalesce(monthly_activity.ugc_posts, 0) as ugc_posts,
        coalesce(monthly_referrals.new_members_referred, 0) as new_members_referred,
        member_months.activity_month
    from member_months
    left join monthly_activity
        on
            member_months.member_id = monthly_activity.member_id
            and member_months.activity_month = monthly_activity.activity_month
    left join monthly_referrals
        on
            member_months.member_id = monthly_referrals.member_id
            and member_months.activity_month = monthly_referrals.activity_month
),

-- months with energy-relevant activity only (a month of logins and views alone earns nothing)
scored as (
    select
        member_id,
        purchases,
        net_amount,
        cast(
            floor(net_amount * cast({{ points_per_currency_unit }} as {{ numeric }}))
            as {{ dbt.type_bigint() }}
        ) as consumption_pts,
        likes,
        comments,
        check_in_days,
        activity_joins,
        interaction_count,
        least(
            {{ interaction_cap }}, {{ interaction_pts }} * interaction_count
        ) as interaction_pts,
        ugc_posts,
        {{ content_pts }} * ugc_posts as content_pts,
        new_members_referred,
        -- exact decimals, so that 0.1 x 3 is 0.3 and the rounding below is not thrown off
        cast(least(
            cast({{ fission_cap }} as {{ numeric }}),
            cast({{ fission_alpha }} as {{ numeric }}) * new_members_referred
        ) as {{ type_ratio() }}) as fission_coefficient,
        {{ interaction_pts }} * interaction_count > {{ interaction_cap }} as is_interaction_capped,
        cast({{ fission_alpha }} as {{ numeric }}) * new_members_referred
        > cast({{ fission_cap }} as {{ numeric }}) as is_fission_capped,
        activity_month
    from counted
    where purchases > 0 or interaction_count > 0 or ugc_posts > 0 or new_members_referred > 0
),

energized as (
    select
        *,
        consumption_pts + interaction_pts + content_pts as base_energy
    from scored
),

multiplied as (
    select
        *,
        cast(round(base_energy * (1 + fission_coefficient), 0) as {{ dbt.type_bigint() }}) as energy_points
    from energized
),

final as (
    select
        member_id,
        purchases,
        net_amount,
        consumption_pts,
        likes,
        comments,
        check_in_days,
        activity_joins,
        interaction_count,
        interaction_pts,
        ugc_posts,
        content_pts,
        base_energy,
        new_members_referred,
        fission_coefficient,
        energy_points,
        cast(sum(energy_points) over (
            partition by member_id
            order by activity_month
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_energy_points,
        is_interaction_capped,
        is_fission_capped,
        activity_month
    from multiplied
)

{{ select_declared_types('final') }}
