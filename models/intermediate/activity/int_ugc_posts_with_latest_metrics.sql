with

interactions as (
    select * from {{ ref('stg_raw__interactions') }}
),

post_metrics as (
    select * from {{ ref('stg_raw__ugc_post_metrics') }}
),

posts as (
    select
        content_id as post_id,
        member_id,
        campaign_id,
        campaign_type,
        platform,
        is_public_domain,
        occurred_at as published_at
    from interactions
    where event_type = 'ugc_post' and content_id is not null
),

latest_metrics as (
    select
        post_id,
        exposures,
        interactions,
        observed_at,
        row_number() over (partition by post_id order by observed_at desc) as recency_rank
    from post_metrics
),

final as (
    select
        posts.post_id,
        posts.member_id,
        posts.campaign_id,
        posts.campaign_type,
        posts.platform,
        coalesce(latest_metrics.exposures, 0) as exposures,
        coalesce(latest_metrics.interactions, 0) as interactions,
        posts.is_public_domain,
        latest_metrics.observed_at is not null as has_metrics,
        cast(posts.published_at as date) as published_date,
        posts.published_at,
        latest_metrics.observed_at as metrics_observed_at
    from posts
    left join latest_metrics
        on posts.post_id = latest_metrics.post_id and latest_metrics.recency_rank = 1
)

select * from final
