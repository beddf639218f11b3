with

-- distinct raw rows (exact replays dropped) that passed every quarantine check; the
-- reference leaves out the database so the view still works when the file is renamed or copied
deduplicated as (
    select * from {{ ref('qrn_raw__campaigns').include(database=False) }}
    where quarantine_reason is null
),

final as (
    select
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ clean_enum('campaign_type') }} as campaign_type,
        {{ clean_enum('channel') }} as channel,
        cast(coalesce(cost, 0) as {{ type_amount() }}) as cost,
        cast(feedback_due_days as {{ dbt.type_int() }}) as feedback_due_days,
        cast(starts_at as {{ dbt.type_timestamp() }}) as starts_at,
        cast(ends_at as {{ dbt.type_timestamp() }}) as ends_at
    from deduplicated
)

select * from final
