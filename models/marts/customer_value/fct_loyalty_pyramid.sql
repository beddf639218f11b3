with

members as (
    select * from {{ ref('fct_members') }}
),

tiers as (
    select * from {{ ref('ref_kox_tiers') }}
),

buyers as (
    select
        member_id,
        purchases_lifetime,
        purchase_days_lifetime,
        net_amount_in_window,
        {{ kox_advocacy_signals('referrals_converted_in_window', 'shares_in_window', 'ugc_posts_in_window') }}
            as advocacy_signals_in_window,
        as_of_date
    from members
    where purchases_lifetime > 0
),

tiered as (
    select
        *,
        {{ kox_tier('advocacy_signals_in_window', 'purchase_days_lifetime') }} as kox_tier
    from buyers
),

final as (
    select
        tiered.member_id,
        tiered.kox_tier,
        tiers.recommended_treatment,
        tiers.recommended_treatment_zh,
        tiered.purchases_lifetime,
        tiered.purchase_days_lifetime,
        tiered.advocacy_signals_in_window,
        tiered.net_amount_in_window,
        case
            when tiered.kox_tier = 'enthusiast' then tiered.purchase_days_lifetime between 2 and 3
        end as is_enthusiast_within_seed_range,
        tiered.as_of_date
    from tiered
    left join tiers on tiered.kox_tier = tiers.kox_tier
)

{{ select_declared_types('final') }}
