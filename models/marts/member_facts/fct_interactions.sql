{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail'
    )
}}

with

interactions as (
    select * from {{ ref('stg_raw__interactions') }}
    {% if is_incremental() %}
        where occurred_at >= {{ incremental_cutoff('occurred_at') }}
    {% endif %}
),

event_types as (
    select * from {{ ref('ref_event_types') }}
),

final as (
    select
        interactions.event_id,
        interactions.member_id,
        interactions.related_member_id,
        interactions.content_id,
        interactions.campaign_id,
        interactions.event_type,
        event_types.event_family,
        interactions.platform,
        interactions.campaign_type,
        interactions.message_type,
        interactions.tag_key,
        interactions.tag_value,
        interactions.score,
        interactions.points,
        event_types.is_member_initiated,
        interactions.is_public_domain,
        interactions.event_date,
        interactions.occurred_at
    from interactions
    inner join event_types on interactions.event_type = event_types.event_type
)

{{ select_declared_types('final') }}
