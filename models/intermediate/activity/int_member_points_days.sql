{#- One row per member per day on which the points ledger records a transaction that moves points
    (spec C20 points_dau_rate): a purchase earning at least one point, the day's first check-in, a
    share, the first completion of a survey, a redemption with an amount. The same rules as
    fct_points_ledger (a marts model, which intermediate models do not read); a data test keeps the
    days equal to the ledger's. -#}
{%- set points_per_currency_unit = var('points_per_currency_unit') -%}
with

members as (
    select member_id from {{ ref('int_members_as_of_date') }}
),

purchases as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
    where event_type in ('check_in', 'share', 'survey_completed', 'points_redeem')
),

purchase_days as (
    select
        member_id,
        order_date as points_date
    from purchases
    where floor(net_amount * cast({{ points_per_currency_unit }} as {{ dbt.type_numeric() }})) <> 0
),

-- a survey earns on its first completion only; the other rules earn on every event of their kind
-- (a check-in's once-a-day limit does not change which days have one)
ranked_surveys as (
    select
        member_id,
        event_date,
        row_number() over (partition by member_id, content_id order by occurred_at, event_id) as award_seq
    from interactions
    where event_type = 'survey_completed'
),

event_days as (
    select
        member_id,
        event_date as points_date
    from interactions
    where
        (event_type = 'check_in' and {{ var('points_daily_checkin') }} <> 0)
        or (event_type = 'share' and {{ var('points_share') }} <> 0)
        or (event_type = 'points_redeem' and points is not null and points <> 0)
    union all
    select
        member_id,
        event_date as points_date
    from ranked_surveys
    where award_seq = 1 and {{ var('points_survey') }} <> 0
),

points_days as (
    select * from purchase_days
    union all
    select * from event_days
),

final as (
    select distinct
        points_days.member_id,
        points_days.points_date
    from points_days
    inner join members on points_days.member_id = members.member_id
)

select * from final
