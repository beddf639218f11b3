{#- KOC candidates as of the as-of date (spec C08): the three selection standards
    (activity, loyalty, content production) plus follower fit and a public social account,
    each as a value and a flag; members already in the programme are not candidates. -#}
{%- set window_days = var('koc_candidate_activity_window_days') -%}
with

members as (
    select * from {{ ref('dim_members') }}
),

member_facts as (
    select * from {{ ref('fct_members') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

posts as (
    select * from {{ ref('int_ugc_posts_with_latest_metrics') }}
),

kocs as (
    select * from {{ ref('int_koc_members') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- activity joins (event family activity, decision D59) in the candidate window; seeding joins ever
joins as (
    select
        member_id,
        {{ sum_if("event_date > " ~ dbt.dateadd('day', -window_days, 'as_of_date'), 1) }}
            as activity_joins_in_candidate_window,
        {{ sum_if("event_type = 'seeding_activity_join'", 1) }} as seeding_activity_joins
    from interactions
    where event_family = 'activity'
    group by member_id
),

content as (
    select
        posts.member_id,
        max(posts.interactions) as best_public_post_interactions,
        count(*) as public_posts
    from posts
    cross join as_of
    where posts.is_public_domain and posts.published_date <= as_of.as_of_date
    group by posts.member_id
),

valued as (
    select
        members.member_id,
        members.gender,
        members.age,
        members.follower_count,
        coalesce(joins.activity_joins_in_candidate_window, 0) as activity_joins_in_candidate_window,
        coalesce(joins.seeding_activity_joins, 0) as seeding_activity_joins,
        coalesce(member_facts.purchases_lifetime, 0) as purchases_lifetime,
        coalesce(content.public_posts, 0) as public_posts,
        coalesce(content.best_public_post_interactions, 0) as best_public_post_interactions,
        coalesce(members.has_xiaohongshu or members.has_douyin or members.has_weibo, false) as has_social_account,
        kocs.koc_member_id is not null as is_in_programme,
        kocs.blacklisted_at is not null as is_blacklisted,
        as_of.as_of_date
    from members
    cross join as_of
    left join member_facts on members.member_id = member_facts.member_id
    left join joins on members.member_id = joins.member_id
    left join content on members.member_id = content.member_id
    left join kocs on members.member_id = kocs.koc_member_id
),

flagged as (
    select
        *,
        activity_joins_in_candidate_window >= {{ var('koc_candidate_min_activity_joins') }} as crit_activity,
        seeding_activity_joins >= {{ var('koc_candidate_min_seeding_joins') }}
        and purchases_lifetime >= {{ var('koc_candidate_min_orders') }} as crit_loyalty,
        best_public_post_interactions >= {{ var('koc_candidate_min_post_interactions') }}
        and public_posts > 0 as crit_content,
        coalesce(
            follower_count between {{ var('koc_min_followers') }} and {{ var('koc_max_followers') }}, false
        ) as crit_follower_fit,
        has_social_account as crit_social_account,
        coalesce(
            age between {{ var('koc_portrait_age_min') }} and {{ var('koc_portrait_age_max') }}, false
        ) as matches_portrait
    from valued
),

final as (
    select
        member_id,
        gender,
        age,
        follower_count,
        activity_joins_in_candidate_window,
        {{ window_days }} as candidate_window_days,
        seeding_activity_joins,
        purchases_lifetime,
        public_posts,
        best_public_post_interactions,
        (case when crit_activity then 1 else 0 end)
        + (case when crit_loyalty then 1 else 0 end)
        + (case when crit_content then 1 else 0 end)
        + (case when crit_follower_fit then 1 else 0 end)
        + (case when crit_social_account then 1 else 0 end) as candidate_score,
        crit_activity,
        crit_loyalty,
        crit_content,
        crit_follower_fit,
        crit_social_account,
        matches_portrait,
        is_in_programme,
        is_blacklisted,
        crit_activity and crit_loyalty and crit_content and not is_in_programme as is_koc_candidate,
        as_of_date
    from flagged
)

{{ select_declared_types('final') }}
