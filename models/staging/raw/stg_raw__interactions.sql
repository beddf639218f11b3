with

-- distinct raw rows (exact replays dropped) that passed every quarantine check; the
-- reference leaves out the database so the view still works when the file is renamed or copied
deduplicated as (
    select * from {{ ref('qrn_raw__interactions').include(database=False) }}
    where quarantine_reason is null
),

renamed as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('member_id') }} as member_id,
        {{ clean_text('related_member_id') }} as related_member_id,
        {{ clean_text('content_id') }} as content_id,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_enum('event_type') }} as event_type,
        {{ clean_enum('platform') }} as platform,
        {{ clean_enum('campaign_type') }} as campaign_type,
        {{ clean_enum('message_type') }} as message_type,
        {{ clean_enum('tag_key') }} as tag_key,
        {{ clean_text('tag_value') }} as tag_value,
        cast(score as {{ dbt.type_int() }}) as score,
        cast(points as {{ dbt.type_bigint() }}) as points,
        cast(is_public_domain as {{ dbt.type_boolean() }}) as is_public_domain,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at
    from deduplicated
),

final as (
    select
        event_id,
        member_id,
        related_member_id,
        content_id,
        campaign_id,
        event_type,
        platform,
        campaign_type,
        message_type,
        tag_key,
        tag_value,
        score,
        points,
        coalesce(is_public_domain, false) as is_public_domain,
        cast(occurred_at as date) as event_date,
        occurred_at
    from renamed
)

select * from final
