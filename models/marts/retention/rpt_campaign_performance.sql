{#- Campaign evaluation (domain spec C25): participation, conversion, attributed GMV, new members,
    complaints, NPS, cost and ROI. Complaints and NPS answers of participants count from their first
    touch until campaign_attribution_days after the campaign ends. -#}
with

campaigns as (
    select * from {{ ref('stg_raw__campaigns') }}
),

touches as (
    select * from {{ ref('int_campaign_touches') }}
),

attributed as (
    select * from {{ ref('int_campaign_attributed_orders') }}
),

members as (
    select * from {{ ref('dim_members') }}
),

interactions as (
    select * from {{ ref('fct_interactions') }}
),

participants as (
    select
        touches.campaign_id,
        touches.member_id,
        count(*) as touches,
        min(touches.touched_at) as first_touched_at
    from touches
    group by touches.campaign_id, touches.member_id
),

participant_windows as (
    select
        participants.campaign_id,
        participants.member_id,
        participants.touches,
        -- joined the private domain within the attribution window before first taking part
        members.registered_at
        between {{ dbt.dateadd('day', -var('campaign_attribution_days'), 'participants.first_touched_at') }}
        and participants.first_touched_at as is_new_member,
        participants.first_touched_at,
        {{ dbt.dateadd(
            'day', var('campaign_attribution_days'),
            'case when campaigns.ends_at > participants.first_touched_at then campaigns.ends_at
                else participants.first_touched_at end') }} as window_ends_at
    from participants
    left join members on participants.member_id = members.member_id
    left join campaigns on participants.campaign_id = campaigns.campaign_id
),

participant_feedback as (
    select
        participant_windows.campaign_id,
        participant_windows.member_id,
        interactions.event_type,
        interactions.score,
        row_number() over (
            partition by participant_windows.campaign_id, participant_windows.member_id, interactions.event_type
            order by interactions.occurred_at desc, interactions.event_id desc
        ) as feedback_rank
    from participant_windows
    inner join interactions
        on
            participant_windows.member_id = interactions.member_id
            and interactions.occurred_at between participant_windows.first_touched_at
            and participant_windows.window_ends_at
    where interactions.event_type in ('complaint', 'nps_response')
),

feedback as (
    select
        campaign_id,
        {{ sum_if("event_type = 'complaint'", 1) }} as complaints,
        {{ sum_if("event_type = 'complaint' and feedback_rank = 1", 1) }} as complainants,
        {{ sum_if("event_type = 'nps_response' and feedback_rank = 1 and score is not null", 1) }} as nps_responses,
        {{ sum_if("event_type = 'nps_response' and feedback_rank = 1 and score >= " ~ var('nps_promoter_min'), 1) }}
            as promoters,
        {{ sum_if("event_type = 'nps_response' and feedback_rank = 1 and score <= " ~ var('nps_detractor_max'), 1) }}
            as detractors
    from participant_feedback
    group by campaign_id
),

participation as (
    select
        campaign_id,
        count(*) as participants,
        sum(touches) as interactions,
        {{ sum_if('is_new_member', 1) }} as new_members
    from participant_windows
    group by campaign_id
),

orders_by_campaign as (
    select
        campaign_id,
        count(*) as attributed_orders,
        sum(net_amount) as attributed_gmv
    from attributed
    group by campaign_id
),

converters as (
    select
        participants.campaign_id,
        count(distinct participants.member_id) as converters
    from participants
    inner join attributed
        on
            participants.campaign_id = attributed.campaign_id
            and participants.member_id = attributed.member_id
    group by participants.campaign_id
),

final as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.channel,
        cast(coalesce(participation.participants, 0) as {{ dbt.type_int() }}) as participants,
        cast(coalesce(participation.interactions, 0) as {{ dbt.type_int() }}) as interactions,
        cast(1.0 * participation.interactions / participation.participants as decimal(12, 4))
            as interaction_frequency,
        cast(coalesce(converters.converters, 0) as {{ dbt.type_int() }}) as converters,
        cast(1.0 * coalesce(converters.converters, 0) / participation.participants as decimal(10, 6))
            as conversion_rate,
        cast(coalesce(orders_by_campaign.attributed_orders, 0) as {{ dbt.type_int() }}) as attributed_orders,
        cast(coalesce(orders_by_campaign.attributed_gmv, 0) as {{ type_amount() }}) as attributed_gmv,
        {{ retention_amount_per('orders_by_campaign.attributed_gmv', 'orders_by_campaign.attributed_orders') }} as aov,
        cast(coalesce(participation.new_members, 0) as {{ dbt.type_int() }}) as new_members,
        cast(coalesce(feedback.complaints, 0) as {{ dbt.type_int() }}) as complaints,
        cast(1.0 * coalesce(feedback.complainants, 0) / participation.participants as decimal(10, 6))
            as complaint_rate,
        cast(coalesce(feedback.nps_responses, 0) as {{ dbt.type_int() }}) as nps_responses,
        cast(100.0 * (feedback.promoters - feedback.detractors) / nullif(feedback.nps_responses, 0) as decimal(8, 2))
            as nps,
        campaigns.cost,
        cast(
            case when campaigns.cost > 0 then coalesce(orders_by_campaign.attributed_gmv, 0) / campaigns.cost end
            as decimal(14, 4)
        ) as roi,
        cast(
            case
                when campaigns.cost > 0
                    then (coalesce(orders_by_campaign.attributed_gmv, 0) - campaigns.cost) / campaigns.cost
            end as decimal(14, 4)
        ) as net_roi,
        campaigns.starts_at,
        campaigns.ends_at
    from campaigns
    left join participation on campaigns.campaign_id = participation.campaign_id
    left join converters on campaigns.campaign_id = converters.campaign_id
    left join orders_by_campaign on campaigns.campaign_id = orders_by_campaign.campaign_id
    left join feedback on campaigns.campaign_id = feedback.campaign_id
)

{{ select_declared_types('final') }}
