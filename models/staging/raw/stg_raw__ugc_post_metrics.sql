with

-- distinct raw rows (exact replays dropped) that passed every quarantine check; the
-- reference leaves out the database so the view still works when the file is renamed or copied
deduplicated as (
    select * from {{ ref('qrn_raw__ugc_post_metrics').include(database=False) }}
    where quarantine_reason is null
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
