{#- Daily, weekly and monthly active members and stickiness (DAU/MAU), domain spec C20. A member
    active on day d counts in the trailing window of every day from d until the window has passed
    or the member is active again, so each window counts distinct members without a range join. -#}
with

daily_activity as (
    select * from {{ ref('int_member_days_as_of_date') }}
),

points_days as (
    select * from {{ ref('int_member_points_days') }}
),

-- members with a points transaction each day, and members whose points account opened that day
-- (their first points transaction)
points_active as (
    select
        points_date,
        count(*) as points_members
    from points_days
    group by points_date
),

points_accounts_opened as (
    select
        first_points_date,
        count(*) as accounts_opened
    from (
        select
            member_id,
            min(points_date) as first_points_date
        from points_days
        group by member_id
    ) as first_points
    group by first_points_date
),

-- day offsets 1 .. 10000 (27 years of days)
day_offsets as (
    {{ dbt.generate_series(10000) }}
),

member_days as (
    select
        daily_activity.member_id,
        daily_activity.activity_date,
        lead(daily_activity.activity_date) over (
            partition by daily_activity.member_id order by daily_activity.activity_date
        ) as next_activity_date
    from daily_activity
    where daily_activity.is_active
),

bounds as (
    select
        min(activity_date) as first_date,
        max(as_of_date) as as_of_date
    from daily_activity
    where is_active
),

days as (
    select
        cast({{ dbt.dateadd('day', 'day_offsets.generated_number - 1', 'bounds.first_date') }} as date)
            as activity_date
    from bounds
    inner join day_offsets
        on day_offsets.generated_number - 1 <= {{ dbt.datediff('bounds.first_date', 'bounds.as_of_date', 'day') }}
),

-- +1 on the active day, -1 on the first day the member leaves the window (or is active again)
coverage_changes as (
    select
        activity_date as change_date,
        1 as dau_change,
        1 as wau_change,
        1 as mau_change
    from member_days
    union all
    select
        cast({{ dbt.dateadd('day', 1, 'activity_date') }} as date) as change_date,
        -1 as dau_change,
        0 as wau_change,
        0 as mau_change
    from member_days
    union all
    select
        case
            when next_activity_date < {{ dbt.dateadd('day', 7, 'activity_date') }} then next_activity_date
            else cast({{ dbt.dateadd('day', 7, 'activity_date') }} as date)
        end as change_date,
        0 as dau_change,
        -1 as wau_change,
        0 as mau_change
    from member_days
    union all
    select
        case
            when next_activity_date < {{ dbt.dateadd('day', var('stickiness_mau_days'), 'activity_date') }}
                then next_activity_date
            else cast({{ dbt.dateadd('day', var('stickiness_mau_days'), 'activity_date') }} as date)
        end as change_date,
        0 as dau_change,
        0 as wau_change,
        -1 as mau_change
    from member_days
),

daily_changes as (
    select
        change_date,
        sum(dau_change) as dau_change,
        sum(wau_change) as wau_change,
        sum(mau_change) as mau_change
    from coverage_changes
    group by change_date
),

running as (
    select
        days.activity_date,
        sum(coalesce(daily_changes.dau_change, 0)) over (
            order by days.activity_date rows between unbounded preceding and current row
        ) as dau,
        sum(coalesce(daily_changes.wau_change, 0)) over (
            order by days.activity_date rows between unbounded preceding and current row
        ) as wau,
        sum(coalesce(daily_changes.mau_change, 0)) over (
            order by days.activity_date rows between unbounded preceding and current row
        ) as mau,
        coalesce(points_active.points_members, 0) as points_dau,
        sum(coalesce(points_accounts_opened.accounts_opened, 0)) over (
            order by days.activity_date rows between unbounded preceding and current row
        ) as points_accounts
    from days
    left join daily_changes on days.activity_date = daily_changes.change_date
    left join points_active on days.activity_date = points_active.points_date
    left join points_accounts_opened on days.activity_date = points_accounts_opened.first_points_date
),

final as (
    select
        cast(running.dau as {{ dbt.type_int() }}) as dau,
        cast(running.wau as {{ dbt.type_int() }}) as wau,
        cast(running.mau as {{ dbt.type_int() }}) as mau,
        cast(case when running.mau > 0 then 1.0 * running.dau / running.mau end as decimal(10, 6)) as stickiness,
        cast(running.points_dau as {{ dbt.type_int() }}) as points_dau,
        cast(running.points_accounts as {{ dbt.type_int() }}) as points_accounts,
        cast(
            case when running.points_accounts > 0 then 1.0 * running.points_dau / running.points_accounts end
            as decimal(10, 6)
        ) as points_dau_rate,
        {{ var('stickiness_mau_days') }} as mau_window_days,
        -- the trailing window reaches back before the first day of data
        running.activity_date
        >= cast({{ dbt.dateadd('day', var('stickiness_mau_days') - 1, 'bounds.first_date') }} as date)
            as is_full_window,
        running.activity_date
    from running
    cross join bounds
)

{{ select_declared_types('final') }}
