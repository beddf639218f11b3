with

source as (
    select * from {{ source('raw', 'raw_ugc_post_metrics') }}
),

-- exact replays of a row are dropped here and counted by raw_rows_accounted_for
deduplicated as (
    select distinct * from source
),

renamed as (
    select
        {{ clean_text('post_id') }} as post_id,
        {{ clean_text('member_id') }} as member_id,
        {{ clean_enum('platform') }} as platform,
        cast(coalesce(exposures, 0) as {{ dbt.type_bigint() }}) as exposures,
        cast(coalesce(likes, 0) as {{ dbt.type_bigint() }}) as likes,
        cast(coalesce(comments, 0) as {{ dbt.type_bigint() }}) as comments,
        cast(coalesce(favorites, 0) as {{ dbt.type_bigint() }}) as favorites,
        cast(coalesce(shares, 0) as {{ dbt.type_bigint() }}) as shares,
        cast(published_at as {{ dbt.type_timestamp() }}) as published_at,
        cast(observed_at as {{ dbt.type_timestamp() }}) as observed_at
    from deduplicated
),

final as (
    select
        post_id,
        member_id,
        platform,
        exposures,
        likes,
        comments,
        favorites,
        shares,
        likes + comments + favorites + shares as interactions,
        published_at,
        observed_at
    from renamed
)

select * from final
