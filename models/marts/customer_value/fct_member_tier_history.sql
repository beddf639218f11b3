with

-- the member-fact measures as of each month end, for the members who had purchased by then
state as (
    select
        member_id,
        recency_days,
        purchases_in_rfm_window as frequency,
        net_amount_in_rfm_window as monetary,
        purchases_lifetime,
        purchase_days_lifetime,
        purchases_in_window,
        net_amount_in_window,
        shares_in_window,
        ugc_posts_in_window,
        referrals_converted_in_window,
        month_start,
        evaluation_date
    from {{ ref('fct_member_monthly') }}
    where purchases_lifetime > 0
),

segments as (
    select * from {{ ref('ref_rfm_segments') }}
),

scored as (
    {{ rfm_scored('state', 'evaluation_date') }}
),

final as (
    select
        scored.member_id,
        segments.rfm_segment,
        {{ kox_tier(
            kox_advocacy_signals('scored.referrals_converted_in_window', 'scored.shares_in_window',
                                 'scored.ugc_posts_in_window'),
            'scored.purchase_days_lifetime') }} as kox_tier,
        {{ member_level_name(member_level_rank('scored.net_amount_in_window', 'scored.purchases_in_window')) }}
            as member_level,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.purchases_lifetime,
        scored.purchases_in_window,
        scored.net_amount_in_window,
        scored.month_start as tier_month,
        scored.evaluation_date
    from scored
    left join segments
        on
            scored.is_recency_high = segments.is_recency_high
            and scored.is_frequency_high = segments.is_frequency_high
            and scored.is_monetary_high = segments.is_monetary_high
)

{{ select_declared_types('final') }}
