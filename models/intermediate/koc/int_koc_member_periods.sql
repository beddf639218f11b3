{#- The level state machine, replayed period by period (spec C09): window posts and
    interactions after the latest elimination give the upgrade progress; important is
    sticky until an elimination; the level freezes once the KOC is blacklisted or graduates. -#}
{%- set grain = var('koc_period_grain') -%}
{%- set window_days = var('koc_upgrade_window_days') -%}
{%- set elim_n = var('koc_elim_consecutive_poor') -%}
with

kocs as (
    select * from {{ ref('int_koc_members') }}
),

periods as (
    select * from {{ ref('int_koc_periods') }}
),

posts as (
    select * from {{ ref('int_ugc_posts_with_latest_metrics') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

participations as (
    select * from {{ ref('int_koc_participations') }}
),

koc_periods as (
    select
        kocs.koc_member_id,
        periods.period_index,
        periods.period_start,
        periods.period_end,
        periods.evaluated_at_date,
        kocs.koc_since_at,
        kocs.blacklisted_at,
        kocs.graduated_at,
        cast({{ dbt.dateadd('day', 1, 'periods.evaluated_at_date') }} as {{ dbt.type_timestamp() }}) as period_end_at
    from kocs
    inner join periods
        on periods.period_start >= cast({{ dbt.date_trunc(grain, 'kocs.koc_since_at') }} as date)
),

koc_posts as (
    select
        posts.member_id as koc_member_id,
        posts.post_id,
        posts.interactions,
        case when posts.is_public_domain then posts.exposures else 0 end as public_exposure,
        posts.is_public_domain,
        cast({{ dbt.date_trunc(grain, 'posts.published_at') }} as date) as period_start,
        posts.published_at
    from posts
    inner join kocs on posts.member_id = kocs.koc_member_id
),

posts_by_period as (
    select
        koc_member_id,
        period_start,
        count(*) as posts,
        sum(interactions) as interactions_received,
        sum(public_exposure) as public_exposure,
        sum(case when is_public_domain then 1 else 0 end) as public_posts
    from koc_posts
    group by koc_member_id, period_start
),

events_by_period as (
    select
        interactions.member_id as koc_member_id,
        cast({{ dbt.date_trunc(grain, 'interactions.occurred_at') }} as date) as period_start,
        count(distinct case when interactions.event_family = 'login' then interactions.event_date end)
            as login_days,
        {{ sum_if("interactions.event_family = 'light_interaction'", 1) }} as light_interactions,
        {{ sum_if("interactions.event_family = 'activity'", 1) }} as activity_joins
    from interactions
    inner join kocs on interactions.member_id = kocs.koc_member_id
    -- the seed's dimensions by event family (ref_event_types; decision D59)
    where interactions.event_family in ('login', 'light_interaction', 'activity')
    group by
        interactions.member_id,
        cast({{ dbt.date_trunc(grain, 'interactions.occurred_at') }} as date)
),

-- reviews judged up to each period end (eliminations count only after entry)
reviews_to_date as (
    select
        koc_periods.koc_member_id,
        koc_periods.period_index,
        count(participations.participation_id) as reviews_judged,
        sum(case when participations.is_elimination then 1 else 0 end) as eliminations_to_date,
        sum(case
            when participations.is_elimination and participations.post_published_at >= koc_periods.period_start
                then 1
            else 0
        end) as eliminations_in_period,
        max(case when participations.is_elimination then participations.post_published_at end)
            as last_eliminated_at,
        max(participations.post_published_at) as last_review_at
    from koc_periods
    inner join participations
        on
            koc_periods.koc_member_id = participations.member_id
            and participations.is_poor_review is not null
            and koc_periods.koc_since_at <= participations.joined_at
            and koc_periods.period_end_at > participations.post_published_at
    group by koc_periods.koc_member_id, koc_periods.period_index
),

current_streak as (
    select
        reviews_to_date.koc_member_id,
        reviews_to_date.period_index,
        mod(max(participations.poor_review_streak), {{ elim_n }}) as poor_review_streak
    from reviews_to_date
    inner join participations
        on
            reviews_to_date.koc_member_id = participations.member_id
            and reviews_to_date.last_review_at = participations.post_published_at
            and participations.is_poor_review is not null
    group by reviews_to_date.koc_member_id, reviews_to_date.period_index
),

-- posts counted towards the upgrade: trailing window, after entry and after the latest elimination
window_posts as (
    select
        koc_periods.koc_member_id,
        koc_periods.period_index,
        count(koc_posts.post_id) as window_posts,
        coalesce(sum(koc_posts.interactions), 0) as window_interactions
    from koc_periods
    left join reviews_to_date
        on
            koc_periods.koc_member_id = reviews_to_date.koc_member_id
            and koc_periods.period_index = reviews_to_date.period_index
    inner join koc_posts
        on
            koc_periods.koc_member_id = koc_posts.koc_member_id
            and koc_periods.period_end_at > koc_posts.published_at
            and koc_posts.published_at
            >= {{ dbt.dateadd('day', -window_days, 'koc_periods.period_end_at') }}
            and koc_periods.koc_since_at <= koc_posts.published_at
            and (
                reviews_to_date.last_eliminated_at is null
                or reviews_to_date.last_eliminated_at < koc_posts.published_at
            )
    group by koc_periods.koc_member_id, koc_periods.period_index
),

measured as (
    select
        koc_periods.koc_member_id,
        koc_periods.period_index,
        koc_periods.period_start,
        koc_periods.period_end,
        koc_periods.evaluated_at_date,
        coalesce(posts_by_period.posts, 0) as posts,
        coalesce(posts_by_period.public_posts, 0) as public_posts,
        coalesce(posts_by_period.interactions_received, 0) as interactions_received,
        coalesce(posts_by_period.public_exposure, 0) as public_exposure,
        coalesce(events_by_period.login_days, 0) as login_days,
        coalesce(events_by_period.light_interactions, 0) as light_interactions,
        coalesce(events_by_period.activity_joins, 0) as activity_joins,
        coalesce(window_posts.window_posts, 0) as window_posts,
        coalesce(window_posts.window_interactions, 0) as window_interactions,
        coalesce(reviews_to_date.eliminations_to_date, 0) as eliminations_to_date,
        coalesce(current_streak.poor_review_streak, 0) as poor_review_streak,
        cast(least(
            coalesce(window_posts.window_posts, 0) * 1.0 / {{ var('koc_upgrade_min_posts') }},
            coalesce(window_posts.window_interactions, 0) * 1.0 / {{ var('koc_upgrade_min_interactions') }}
        ) as decimal(12, 4)) as upgrade_progress,
        coalesce(reviews_to_date.eliminations_in_period, 0) > 0 as is_eliminated_in_period,
        koc_periods.blacklisted_at is not null
        and koc_periods.blacklisted_at < koc_periods.period_end_at as is_blacklisted,
        koc_periods.graduated_at is not null
        and koc_periods.graduated_at < koc_periods.period_end_at as is_graduated,
        reviews_to_date.last_eliminated_at
    from koc_periods
    left join posts_by_period
        on
            koc_periods.koc_member_id = posts_by_period.koc_member_id
            and koc_periods.period_start = posts_by_period.period_start
    left join events_by_period
        on
            koc_periods.koc_member_id = events_by_period.koc_member_id
            and koc_periods.period_start = events_by_period.period_start
    left join window_posts
        on
            koc_periods.koc_member_id = window_posts.koc_member_id
            and koc_periods.period_index = window_posts.period_index
    left join reviews_to_date
        on
            koc_periods.koc_member_id = reviews_to_date.koc_member_id
            and koc_periods.period_index = reviews_to_date.period_index
    left join current_streak
        on
            koc_periods.koc_member_id = current_streak.koc_member_id
            and koc_periods.period_index = current_streak.period_index
),

-- important is sticky within an elimination epoch; an elimination in the period wins over an upgrade
leveled as (
    select
        *,
        max(case when upgrade_progress >= 1 and not is_eliminated_in_period then 1 else 0 end) over (
            partition by koc_member_id, eliminations_to_date
            order by period_index
            rows between unbounded preceding and current row
        ) as has_reached_important,
        min(case when is_blacklisted or is_graduated then period_index end) over (
            partition by koc_member_id
        ) as terminal_period_index
    from measured
),

rule_levels as (
    select
        *,
        case
            when has_reached_important = 1 then 'important'
            when upgrade_progress >= {{ var('koc_potential_progress_min') }} then 'potential'
            else 'new'
        end as rule_level
    from leveled
),

final as (
    select
        rule_levels.koc_member_id,
        -- frozen at the level held when the KOC was blacklisted or graduated
        case
            when rule_levels.period_index > rule_levels.terminal_period_index then terminal.rule_level
            else rule_levels.rule_level
        end as koc_level,
        -- the first terminal status is absorbing; graduation wins within one period
        case
            when rule_levels.period_index < rule_levels.terminal_period_index then null
            when terminal.is_graduated then 'graduated'
            when terminal.is_blacklisted then 'blacklisted'
        end as terminal_status,
        rule_levels.period_index,
        rule_levels.posts,
        rule_levels.public_posts,
        rule_levels.interactions_received,
        rule_levels.public_exposure,
        rule_levels.login_days,
        rule_levels.light_interactions,
        rule_levels.activity_joins,
        rule_levels.window_posts,
        rule_levels.window_interactions,
        rule_levels.upgrade_progress,
        rule_levels.eliminations_to_date,
        rule_levels.poor_review_streak,
        rule_levels.terminal_period_index,
        rule_levels.is_eliminated_in_period and (
            rule_levels.terminal_period_index is null or rule_levels.period_index <= rule_levels.terminal_period_index
        ) as is_eliminated_in_period,
        rule_levels.period_start,
        rule_levels.period_end,
        rule_levels.evaluated_at_date,
        rule_levels.last_eliminated_at
    from rule_levels
    left join rule_levels as terminal
        on
            rule_levels.koc_member_id = terminal.koc_member_id
            and rule_levels.terminal_period_index = terminal.period_index
)

select * from final
