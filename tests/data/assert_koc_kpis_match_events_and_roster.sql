-- The programme KPIs equal counts taken directly from the roster and the level events, the post
-- metrics equal the KOCs' posts recounted from the UGC posts (spec DQ-Q12, DQ-Q13), and the
-- wake-up counts equal the KOCs in fct_koc_wake_ups per period.
{%- set grain = var('koc_period_grain') %}
with

kpis as (
    select * from {{ ref('rpt_koc_program_kpis') }}
),

roster_counts as (
    select
        period_index,
        count(*) as koc_count,
        sum(case when koc_level = 'important' then 1 else 0 end) as koc_count_important,
        sum(case when koc_status = 'dormant' then 1 else 0 end) as dormant_count
    from {{ ref('fct_koc_roster_monthly') }}
    where koc_status in ('active', 'dormant')
    group by period_index
),

event_counts as (
    select
        period_index,
        sum(case when event_type = 'entered' then 1 else 0 end) as new_kocs_entered,
        sum(case when event_type = 'upgraded' then 1 else 0 end) as upgrades,
        sum(case when event_type = 'eliminated' then 1 else 0 end) as eliminations,
        sum(case when event_type = 'blacklisted' then 1 else 0 end) as blacklists,
        sum(case when event_type = 'went_dormant' then 1 else 0 end) as went_dormant_count,
        sum(case when event_type = 'woken' then 1 else 0 end) as woken_count,
        sum(case when event_type = 'graduated' then 1 else 0 end) as graduations
    from {{ ref('fct_koc_level_events') }}
    group by period_index
),

periods as (
    select * from {{ ref('int_koc_periods') }}
),

-- one row per KOC messaged in a period; worked if any of its messages there did
wake_up_kocs as (
    select
        period_index,
        koc_member_id,
        max(case when is_woken_in_time then 1 else 0 end) as worked
    from {{ ref('fct_koc_wake_ups') }}
    group by period_index, koc_member_id
),

wake_up_counts as (
    select
        period_index,
        count(*) as wake_up_recipients,
        sum(worked) as woken_after_wake_up
    from wake_up_kocs
    group by period_index
),

koc_posts as (
    select
        periods.period_index,
        count(*) as posts,
        sum(case when posts.is_public_domain then posts.exposures else 0 end) as public_exposure
    from {{ ref('int_ugc_posts_with_latest_metrics') }} as posts
    inner join {{ ref('int_koc_members') }} as kocs on posts.member_id = kocs.koc_member_id
    inner join periods
        on periods.period_start = cast({{ dbt.date_trunc(grain, 'posts.published_at') }} as date)
    where posts.published_at >= cast({{ dbt.date_trunc(grain, 'kocs.koc_since_at') }} as date)
    group by periods.period_index
),

compared as (
    select
        kpis.period_index,
        kpis.koc_count != coalesce(roster_counts.koc_count, 0) as bad_koc_count,
        kpis.koc_count_important != coalesce(roster_counts.koc_count_important, 0) as bad_important,
        kpis.dormant_count != coalesce(roster_counts.dormant_count, 0) as bad_dormant,
        kpis.ugc_post_count != coalesce(koc_posts.posts, 0) as bad_posts,
        kpis.public_exposure_count != coalesce(koc_posts.public_exposure, 0) as bad_exposure,
        kpis.new_kocs_entered != coalesce(event_counts.new_kocs_entered, 0) as bad_new_kocs_entered,
        kpis.upgrades != coalesce(event_counts.upgrades, 0) as bad_upgrades,
        kpis.eliminations != coalesce(event_counts.eliminations, 0) as bad_eliminations,
        kpis.blacklists != coalesce(event_counts.blacklists, 0) as bad_blacklists,
        kpis.went_dormant_count != coalesce(event_counts.went_dormant_count, 0) as bad_went_dormant_count,
        kpis.woken_count != coalesce(event_counts.woken_count, 0) as bad_woken_count,
        kpis.graduations != coalesce(event_counts.graduations, 0) as bad_graduations,
        kpis.wake_up_recipients != coalesce(wake_up_counts.wake_up_recipients, 0) as bad_wake_up_recipients,
        kpis.woken_after_wake_up != coalesce(wake_up_counts.woken_after_wake_up, 0) as bad_woken_after_wake_up
    from kpis
    left join roster_counts on kpis.period_index = roster_counts.period_index
    left join koc_posts on kpis.period_index = koc_posts.period_index
    left join event_counts on kpis.period_index = event_counts.period_index
    left join wake_up_counts on kpis.period_index = wake_up_counts.period_index
)

select *
from compared
where
    bad_koc_count or bad_important or bad_dormant or bad_posts or bad_exposure
    or bad_new_kocs_entered or bad_upgrades or bad_eliminations or bad_blacklists
    or bad_went_dormant_count or bad_woken_count or bad_graduations
    or bad_wake_up_recipients or bad_woken_after_wake_up
