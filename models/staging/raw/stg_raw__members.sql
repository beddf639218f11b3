with

-- distinct raw rows (exact replays dropped) that passed every quarantine check; the
-- reference leaves out the database so the view still works when the file is renamed or copied
deduplicated as (
    select * from {{ ref('qrn_raw__members').include(database=False) }}
    where quarantine_reason is null
),

renamed as (
    select
        {{ clean_text('member_id') }} as member_id,
        {{ unless_cleaned('referrer_member_id', clean_text('referrer_member_id')) }} as referrer_member_id,
        {{ clean_enum('acquisition_channel') }} as acquisition_channel,
        {{ clean_enum('gender') }} as gender,
        {{ clean_wide_text('city') }} as city,
        {{ clean_enum('city_tier') }} as city_tier,
        {{ clean_enum('social_platforms') }} as social_platforms,
        {{ clean_enum('relationship_end_reason') }} as relationship_end_reason,
        {{ unless_cleaned('birth_year', 'cast(birth_year as ' ~ dbt.type_int() ~ ')') }} as birth_year,
        {{ unless_cleaned('follower_count', 'cast(follower_count as ' ~ dbt.type_bigint() ~ ')') }} as follower_count,
        coalesce(cast(is_store_user as {{ dbt.type_boolean() }}), false) as is_store_user,
        coalesce(cast(is_community_user as {{ dbt.type_boolean() }}), false) as is_community_user,
        cast(registered_at as {{ dbt.type_timestamp() }}) as registered_at,
        cast(wecom_followed_at as {{ dbt.type_timestamp() }}) as wecom_followed_at,
        cast(group_joined_at as {{ dbt.type_timestamp() }}) as group_joined_at,
        cast(relationship_ended_at as {{ dbt.type_timestamp() }}) as relationship_ended_at
    from deduplicated
),

final as (
    select
        member_id,
        referrer_member_id,
        acquisition_channel,
        gender,
        city,
        city_tier,
        social_platforms,
        relationship_end_reason,
        birth_year,
        follower_count,
        is_store_user,
        is_community_user,
        coalesce(social_platforms like '%xiaohongshu%', false) as has_xiaohongshu,
        coalesce(social_platforms like '%douyin%', false) as has_douyin,
        coalesce(social_platforms like '%weibo%', false) as has_weibo,
        registered_at,
        wecom_followed_at,
        group_joined_at,
        relationship_ended_at
    from renamed
)

select * from final
