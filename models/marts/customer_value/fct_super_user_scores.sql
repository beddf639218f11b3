{%- set weights = validate_weights('super_user_weights', ['consumption', 'interaction', 'content', 'social']) -%}
{%- set high = var('four_highs_percentile') -%}
{%- set top_share = var('super_user_top_share') -%}
with

members as (
    select * from {{ ref('fct_members') }}
),

-- eligible: purchased or did something in the member window
eligible as (
    select *
    from members
    where purchases_in_window > 0 or active_days_in_window > 0
),

raw_values as (
    select
        member_id,
        net_amount_in_window as consumption_raw,
        likes_in_window + comments_in_window + favorites_in_window + check_ins_in_window
        + activity_joins_in_window + surveys_completed_in_window + nps_responses_in_window as interaction_raw,
        {{ var('content_post_weight') }} * ugc_posts_in_window + ugc_interactions_received_in_window as content_raw,
        shares_in_window + {{ var('social_referral_weight') }} * referrals_converted_in_window as social_raw,
        purchase_days_in_window * 1.0 / active_days_in_window as conversion_rate,
        greatest(purchases_in_window - 1, 0) as repurchase_count,
        shares_in_window as share_count,
        referrals_converted_in_window as converted_referrals,
        purchases_in_window,
        as_of_date
    from eligible
),

scored as (
    select
        *,
        {{ percent_rank_score('consumption_raw') }} as consumption_score,
        {{ percent_rank_score('interaction_raw') }} as interaction_score,
        {{ percent_rank_score('content_raw') }} as content_score,
        {{ percent_rank_score('social_raw') }} as social_score,
        percent_rank() over (order by conversion_rate) as conversion_percentile,
        percent_rank() over (partition by purchases_in_window > 0 order by repurchase_count)
            as repurchase_percentile,
        percent_rank() over (order by share_count) as share_percentile,
        percent_rank() over (partition by converted_referrals > 0 order by converted_referrals)
            as referral_percentile
    from raw_values
),

valued as (
    select
        *,
        cast(round(
            {{ weights['consumption'] }} * consumption_score
            + {{ weights['interaction'] }} * interaction_score
            + {{ weights['content'] }} * content_score
            + {{ weights['social'] }} * social_score,
            2
        ) as {{ type_score() }}) as value_score,
        purchases_in_window > 0 and conversion_percentile >= {{ high }} as is_high_conversion,
        repurchase_count >= 1 and repurchase_percentile >= {{ high }} as is_high_repurchase,
        share_count >= 1 and share_percentile >= {{ high }} as is_high_sharing,
        converted_referrals >= 1 and referral_percentile >= {{ high }} as is_high_referral
    from scored
),

ranked as (
    select
        *,
        row_number() over (
            order by value_score desc, consumption_raw desc, member_id asc
        ) as value_rank,
        percent_rank() over (order by value_score) as value_percentile
    from valued
),

final as (
    select
        member_id,
        case
            when value_percentile >= {{ 1 - top_share }} and purchases_in_window > 0 then 'super_user'
            when value_percentile >= {{ 1 - top_share - var('value_high_band_share') }} then 'high'
            else 'standard'
        end as value_band,
        consumption_raw,
        interaction_raw,
        content_raw,
        social_raw,
        consumption_score,
        interaction_score,
        content_score,
        social_score,
        {{ weights['consumption'] }} as consumption_weight,
        {{ weights['interaction'] }} as interaction_weight,
        {{ weights['content'] }} as content_weight,
        {{ weights['social'] }} as social_weight,
        value_score,
        value_rank,
        value_percentile,
        conversion_rate,
        repurchase_count,
        share_count,
        converted_referrals,
        cast(is_high_conversion as {{ dbt.type_int() }})
        + cast(is_high_repurchase as {{ dbt.type_int() }})
        + cast(is_high_sharing as {{ dbt.type_int() }})
        + cast(is_high_referral as {{ dbt.type_int() }}) as four_highs_count,
        is_high_conversion,
        is_high_repurchase,
        is_high_sharing,
        is_high_referral,
        value_percentile >= {{ 1 - top_share }} and purchases_in_window > 0 as is_super_user,
        as_of_date
    from ranked
)

{{ select_declared_types('final') }}
