with

source as (
    select * from {{ source('raw', 'raw_campaigns') }}
),

-- exact replays of a row are dropped here and counted by raw_rows_accounted_for
deduplicated as (
    select distinct * from source
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
