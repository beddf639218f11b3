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

-- the percent ranks over every eligible member, without a window over the whole table
-- (macros/bucketed_rank.sql: exactly percent_rank() over (order by ...))
{{ bucketed_rank_ctes('consumption_ranks', 'raw_values', 'member_id', 'consumption_raw', 'consumption_raw') }},

{{ bucketed_rank_ctes('interaction_ranks', 'raw_values', 'member_id', 'interaction_raw', 'interaction_raw') }},

{{ bucketed_rank_ctes('content_ranks', 'raw_values', 'member_id', 'content_raw', 'content_raw') }},

{{ bucketed_rank_ctes('social_ranks', 'raw_values', 'member_id', 'social_raw', 'social_raw') }},

{{ bucketed_rank_ctes('conversion_ranks', 'raw_values', 'member_id', 'conversion_rate', 'conversion_rate') }},

{{ bucketed_rank_ctes('repurchase_ranks', 'raw_values', 'member_id', 'repurchase_count', 'repurchase_count',
    partition_by='purchases_in_window > 0') }},

{{ bucketed_rank_ctes('share_ranks', 'raw_values', 'member_id', 'share_count', 'share_count') }},

{{ bucketed_rank_ctes('referral_ranks', 'raw_values', 'member_id', 'converted_referrals', 'converted_referrals',
    partition_by='converted_referrals > 0') }},

scored as (
    select
        raw_values.*,
        {{ score_from_percent_rank('consumption_ranks.rank_percent') }} as consumption_score,
        {{ score_from_percent_rank('interaction_ranks.rank_percent') }} as interaction_score,
        {{ score_from_percent_rank('content_ranks.rank_percent') }} as content_score,
        {{ score_from_percent_rank('social_ranks.rank_percent') }} as social_score,
        conversion_ranks.rank_percent as conversion_percentile,
        repurchase_ranks.rank_percent as repurchase_percentile,
        share_ranks.rank_percent as share_percentile,
        referral_ranks.rank_percent as referral_percentile
    from raw_values
    inner join consumption_ranks on raw_values.member_id = consumption_ranks.member_id
    inner join interaction_ranks on raw_values.member_id = interaction_ranks.member_id
    inner join content_ranks on raw_values.member_id = content_ranks.member_id
    inner join social_ranks on raw_values.member_id = social_ranks.member_id
    inner join conversion_ranks on raw_values.member_id = conversion_ranks.member_id
    inner join repurchase_ranks on raw_values.member_id = repurchase_ranks.member_id
    inner join share_ranks on raw_values.member_id = share_ranks.member_id
    inner join referral_ranks on raw_values.member_id = referral_ranks.member_id
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

{{ bucketed_rank_ctes('value_positions', 'valued', 'member_id', 'value_score',
    'value_score desc, consumption_raw desc, member_id asc', direction='desc', function='row_number') }},

{{ bucketed_rank_ctes('value_ranks', 'valued', 'member_id', 'value_score', 'value_score') }},

ranked as (
    select
        valued.*,
        value_positions.rank_position as value_rank,
        value_ranks.rank_percent as value_percentile
    from valued
    inner join value_positions on valued.member_id = value_positions.member_id
    inner join value_ranks on valued.member_id = value_ranks.member_id
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
