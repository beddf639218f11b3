with

-- distinct raw rows (exact replays dropped) that passed every quarantine check; the
-- reference leaves out the database so the view still works when the file is renamed or copied
deduplicated as (
    select * from {{ ref('qrn_raw__koc_participations').include(database=False) }}
    where quarantine_reason is null
),

final as (
    select
        {{ clean_text('participation_id') }} as participation_id,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('member_id') }} as member_id,
        {{ clean_text('post_id') }} as post_id,
        cast(feedback_compliant as {{ dbt.type_boolean() }}) as is_feedback_compliant,
        cast(joined_at as {{ dbt.type_timestamp() }}) as joined_at,
        cast(product_shipped_at as {{ dbt.type_timestamp() }}) as product_shipped_at,
        cast(feedback_due_at as {{ dbt.type_timestamp() }}) as feedback_due_at,
        cast(feedback_submitted_at as {{ dbt.type_timestamp() }}) as feedback_submitted_at
    from deduplicated
)

select * from final
