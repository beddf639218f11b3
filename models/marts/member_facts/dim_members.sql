with

members as (
    select * from {{ ref('stg_raw__members') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_purchases as (
    select
        member_id,
        ordered_at as first_purchase_at
    from {{ ref('int_orders_sequenced') }}
    where is_first_purchase
),

final as (
    select
        members.member_id,
        members.referrer_member_id,
        members.acquisition_channel,
        members.gender,
        members.city,
        members.city_tier,
        members.social_platforms,
        members.relationship_end_reason,
        members.birth_year,
        extract(year from as_of.as_of_date) - members.birth_year as age,
        members.follower_count,
        members.is_store_user,
        members.is_community_user,
        members.has_xiaohongshu,
        members.has_douyin,
        members.has_weibo,
        members.referrer_member_id is not null as is_referred,
        first_purchases.first_purchase_at is not null as has_purchased,
        members.relationship_ended_at is not null as has_ended_relationship,
        cast({{ dbt.date_trunc('month', 'members.registered_at') }} as date) as registration_month,
        cast({{ dbt.date_trunc('month', 'first_purchases.first_purchase_at') }} as date) as cohort_month,
        members.registered_at,
        members.wecom_followed_at,
        members.group_joined_at,
        first_purchases.first_purchase_at,
        members.relationship_ended_at
    from members
    cross join as_of
    left join first_purchases on members.member_id = first_purchases.member_id
)

{{ select_declared_types('final') }}
