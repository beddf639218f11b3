{%- set window_days = var('koc_upgrade_window_days') -%}
-- Every upgrade to important (spec DQ-Q03) has at least koc_upgrade_min_posts posts and
-- koc_upgrade_min_interactions interactions in the trailing window at the event, recounted
-- here from the posts (a superset of the window the model uses, which also drops posts before
-- an elimination, so the recount can only be larger).
with

upgrades as (
    select
        koc_member_id,
        koc_event_id,
        event_date
    from {{ ref('fct_koc_level_events') }}
    where event_type = 'upgraded' and to_level = 'important'
),

posts as (
    select
        member_id,
        interactions,
        published_at
    from {{ ref('int_ugc_posts_with_latest_metrics') }}
),

recounted as (
    select
        upgrades.koc_event_id,
        count(posts.published_at) as window_posts,
        coalesce(sum(posts.interactions), 0) as window_interactions
    from upgrades
    left join posts
        on
            upgrades.koc_member_id = posts.member_id
            and posts.published_at < {{ dbt.dateadd('day', 1, 'upgrades.event_date') }}
            and posts.published_at >= {{ dbt.dateadd('day', 1 - window_days, 'upgrades.event_date') }}
    group by upgrades.koc_event_id
)

select *
from recounted
where
    window_posts < {{ var('koc_upgrade_min_posts') }}
    or window_interactions < {{ var('koc_upgrade_min_interactions') }}
