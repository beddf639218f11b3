{#- Every KOC campaign participation with its review outcome: the feedback issue that
    blacklists (missing, late, non-compliant), the interactions of the review post and
    whether it was a poor review, and the consecutive-poor streak that eliminates. -#}
{%- set elim_n = var('koc_elim_consecutive_poor') -%}
with

participations as (
    select * from {{ ref('stg_raw__koc_participations') }}
),

campaigns as (
    select * from {{ ref('stg_raw__campaigns') }}
),

posts as (
    select * from {{ ref('int_ugc_posts_with_latest_metrics') }}
),

post_metrics as (
    select * from {{ ref('stg_raw__ugc_post_metrics') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- the snapshot nearest to koc_review_snapshot_days after publishing (spec C09 rule 3), latest on a tie
nearest_snapshot as (
    select
        post_metrics.post_id,
        post_metrics.interactions,
        row_number() over (
            partition by post_metrics.post_id
            order by
                abs({{ dbt.datediff(
                    dbt.dateadd('day', var('koc_review_snapshot_days'), 'posts.published_at'), 'post_metrics.observed_at', 'hour') }}),
                post_metrics.observed_at desc
        ) as nearness_rank
    from post_metrics
    inner join posts on post_metrics.post_id = posts.post_id
),

enriched as (
    select
        participations.participation_id,
        participations.campaign_id,
        participations.member_id,
        participations.post_id,
        campaigns.campaign_type,
        coalesce(nearest_snapshot.interactions, posts.interactions) as review_interactions,
        coalesce(campaigns.campaign_type in ('new_product_review', 'evergreen_experience'), false) as is_review,
        participations.is_feedback_compliant,
        participations.joined_at,
        participations.product_shipped_at,
        coalesce(
            participations.feedback_due_at,
            {{ dbt.dateadd('day', var('koc_feedback_due_days'), 'participations.product_shipped_at') }}
        ) as feedback_due_at,
        participations.feedback_submitted_at,
        posts.published_at as post_published_at,
        cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as {{ dbt.type_timestamp() }}) as as_of_end_at
    from participations
    cross join as_of
    left join campaigns on participations.campaign_id = campaigns.campaign_id
    left join posts on participations.post_id = posts.post_id
    left join nearest_snapshot
        on participations.post_id = nearest_snapshot.post_id and nearest_snapshot.nearness_rank = 1
    where participations.joined_at < {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }}
),

feedback as (
    select
        *,
        case
            when not is_review or product_shipped_at is null or product_shipped_at >= as_of_end_at then null
            when feedback_submitted_at is null or feedback_submitted_at >= as_of_end_at
                then case when feedback_due_at < as_of_end_at then 'missing' end
            when feedback_submitted_at > feedback_due_at then 'late'
            when is_feedback_compliant = false then 'non_compliant'
        end as feedback_issue
    from enriched
),

-- review posts ranked within their campaign: below the P25 <=> percent_rank < 0.25
review_posts as (
    select
        participation_id,
        count(*) over (partition by campaign_id) as campaign_review_posts,
        percent_rank() over (partition by campaign_id order by review_interactions) as interactions_percent_rank
    from feedback
    where is_review and post_published_at is not null and post_published_at < as_of_end_at
),

judged as (
    select
        feedback.*,
        review_posts.campaign_review_posts,
        review_posts.interactions_percent_rank,
        case
            when review_posts.participation_id is null then null
            when review_posts.campaign_review_posts < {{ var('koc_poor_review_min_campaign_posts') }}
                then feedback.review_interactions < {{ var('koc_poor_review_abs_min_interactions') }}
            else review_posts.interactions_percent_rank < {{ var('koc_poor_review_percentile') }}
        end as is_poor_review
    from feedback
    left join review_posts on feedback.participation_id = review_posts.participation_id
),

-- islands of consecutive poor reviews: a good review starts a new island
streak_groups as (
    select
        *,
        sum(case when is_poor_review then 0 else 1 end) over (
            partition by member_id
            order by post_published_at, participation_id
            rows between unbounded preceding and current row
        ) as streak_group
    from judged
    where is_poor_review is not null
),

streaks as (
    select
        participation_id,
        case
            when is_poor_review
                then
                    sum(case when is_poor_review then 1 else 0 end) over (
                        partition by member_id, streak_group
                        order by post_published_at, participation_id
                        rows between unbounded preceding and current row
                    )
            else 0
        end as poor_review_streak
    from streak_groups
),

final as (
    select
        judged.participation_id,
        judged.campaign_id,
        judged.member_id,
        judged.post_id,
        judged.campaign_type,
        judged.feedback_issue,
        judged.review_interactions,
        judged.campaign_review_posts,
        cast(judged.interactions_percent_rank as decimal(9, 6)) as interactions_percent_rank,
        coalesce(streaks.poor_review_streak, 0) as poor_review_streak,
        judged.is_review,
        judged.is_feedback_compliant,
        judged.is_poor_review,
        -- every N-th consecutive poor review eliminates; the streak restarts after it
        coalesce(
            streaks.poor_review_streak > 0 and mod(streaks.poor_review_streak, {{ elim_n }}) = 0, false
        ) as is_elimination,
        judged.joined_at,
        judged.product_shipped_at,
        judged.feedback_due_at,
        judged.feedback_submitted_at,
        judged.post_published_at,
        case
            when judged.feedback_issue in ('missing', 'late') then judged.feedback_due_at
            when judged.feedback_issue = 'non_compliant' then judged.feedback_submitted_at
        end as blacklist_at
    from judged
    left join streaks on judged.participation_id = streaks.participation_id
)

select * from final
