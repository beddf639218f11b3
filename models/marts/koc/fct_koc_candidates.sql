{#- KOC candidates as of the as-of date (spec C08): the three selection standards
    (activity, loyalty, content production) plus follower fit and a public social account,
    each as a value and a flag; members already in the programme are not candidates. -#}
with

members as (
    select * from {{ ref('dim_members') }}
),

member_facts as (
    select * from {{ ref('fct_members') }}
),

interactions as (
    select * from {{ ref('stg_raw__interactions') }}
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

joins as (
    select
        interactions.member_id,
        sum(case
            when
                interactions.event_type = 'activity_join'
                and interactions.event_date > {{ dbt.dateadd('day', -90, 'as_of.as_of_date') }}
                then 1
            else 0
        end) as activity_joins_90d,
        sum(case when interactions.event_type = 'seeding_activity_join' then 1 else 0 end)
            as seeding_activity_joins
    from interactions
    cross join as_of
    where
        interactions.event_type in ('activity_join', 'seeding_activity_join')
        and interactions.event_date <= as_of.as_of_date
    group by interactions.member_id
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
        coalesce(joins.activity_joins_90d, 0) as activity_joins_90d,
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
        activity_joins_90d >= {{ var('koc_candidate_min_activity_joins_90d') }} as crit_activity,
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
        activity_joins_90d,
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
