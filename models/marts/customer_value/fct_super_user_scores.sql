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

-- the eight dimensions as rows (a cross join, so raw_values appears once in the plan: Spark
-- copies a CTE into every place that reads it), each ranked in its own group by one block
dimensions as (
    select 'consumption' as dimension
    union all
    select 'interaction' as dimension
    union all
    select 'content' as dimension
    union all
    select 'social' as dimension
    union all
    select 'conversion' as dimension
    union all
    select 'repurchase' as dimension
    union all
    select 'share' as dimension
    union all
    select 'referral' as dimension
),

dimension_values as (
    select
        raw_values.member_id,
        -- repurchases rank among buyers and referrals among referrers, as partitions
        case
            when dimensions.dimension = 'repurchase' and raw_values.purchases_in_window = 0
                then 'repurchase_without_purchase'
            when dimensions.dimension = 'referral' and raw_values.converted_referrals = 0
                then 'referral_without_conversion'
            else dimensions.dimension
        end as dimension_group,
        -- double keeps every value's order and ties (money has 2 decimals, far below 2^53)
        cast(case dimensions.dimension
            when 'consumption' then raw_values.consumption_raw
            when 'interaction' then raw_values.interaction_raw
            when 'content' then raw_values.content_raw
            when 'social' then raw_values.social_raw
            when 'conversion' then raw_values.conversion_rate
            when 'repurchase' then raw_values.repurchase_count
            when 'share' then raw_values.share_count
            when 'referral' then raw_values.converted_referrals
        end as {{ type_double() }}) as dimension_value
    from raw_values
    cross join dimensions
),

-- the percent ranks over every eligible member, without a window over the whole table
-- (macros/bucketed_rank.sql: exactly percent_rank() over (partition by dimension_group order by ...))
{{ bucketed_rank_ctes('dimension_ranks', 'dimension_values', 'member_id', 'dimension_value', 'dimension_value',
    partition_by='dimension_group') }},

dimension_percents as (
    select
        member_id,
        max(case when rank_group = 'consumption' then rank_percent end) as consumption_percent,
        max(case when rank_group = 'interaction' then rank_percent end) as interaction_percent,
        max(case when rank_group = 'content' then rank_percent end) as content_percent,
        max(case when rank_group = 'social' then rank_percent end) as social_percent,
        max(case when rank_group = 'conversion' then rank_percent end) as conversion_percentile,
        max(case when rank_group in ('repurchase', 'repurchase_without_purchase') then rank_percent end)
            as repurchase_percentile,
        max(case when rank_group = 'share' then rank_percent end) as share_percentile,
        max(case when rank_group in ('referral', 'referral_without_conversion') then rank_percent end)
            as referral_percentile
    from dimension_ranks
    group by member_id
),

scored as (
    select
        raw_values.*,
        {{ score_from_percent_rank('dimension_percents.consumption_percent') }} as consumption_score,
        {{ score_from_percent_rank('dimension_percents.interaction_percent') }} as interaction_score,
        {{ score_from_percent_rank('dimension_percents.content_percent') }} as content_score,
        {{ score_from_percent_rank('dimension_percents.social_percent') }} as social_score,
        dimension_percents.conversion_percentile,
        dimension_percents.repurchase_percentile,
        dimension_percents.share_percentile,
        dimension_percents.referral_percentile
    from raw_values
    inner join dimension_percents on raw_values.member_id = dimension_percents.member_id
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

-- one block for both: the descending row number and the ascending percent rank of value_score
{{ bucketed_rank_ctes('value_positions', 'valued', 'member_id', 'value_score',
    'value_score desc, consumption_raw desc, member_id asc', direction='desc', function='row_number') }},

ranked as (
    select
        valued.*,
        value_positions.rank_position as value_rank,
        value_positions.rank_percent as value_percentile
    from valued
    inner join value_positions on valued.member_id = value_positions.member_id
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
