with

-- distinct raw rows (exact replays dropped) that passed every quarantine check; the
-- reference leaves out the database so the view still works when the file is renamed or copied
deduplicated as (
    select * from {{ ref('qrn_raw__orders').include(database=False) }}
    where quarantine_reason is null
),

renamed as (
    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('member_id') }} as member_id,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_enum('status') }} as status,
        {{ clean_enum('channel') }} as channel,
        {{ clean_enum('first_item_category') }} as first_item_category,
        cast(coalesce(gross_amount, 0) as {{ type_amount() }}) as gross_amount,
        cast(coalesce(discount_amount, 0) as {{ type_amount() }}) as discount_amount,
        cast(coalesce(paid_amount, 0) as {{ type_amount() }}) as paid_amount,
        cast(coalesce(refund_amount, 0) as {{ type_amount() }}) as refund_amount,
        cast(is_private_domain as {{ dbt.type_boolean() }}) as is_private_domain,
        cast(contains_traffic_product as {{ dbt.type_boolean() }}) as contains_traffic_product,
        cast(ordered_at as {{ dbt.type_timestamp() }}) as ordered_at
    from deduplicated
),

final as (
    select
        order_id,
        member_id,
        campaign_id,
        status,
        channel,
        first_item_category,
        gross_amount,
        discount_amount,
        paid_amount,
        refund_amount,
        cast(paid_amount - refund_amount as {{ type_amount() }}) as net_amount,
        {{ is_purchase('status') }} as is_purchase,
        is_private_domain,
        contains_traffic_product,
        cast(ordered_at as date) as order_date,
        ordered_at
    from renamed
)

select * from final
