{%- if var('kox_advocacy_signal') == 'referral_or_share' -%}
    {%- set advocacy_signals = 'referrals_converted_in_window + recommendations_in_window' -%}
{%- elif var('kox_advocacy_signal') == 'referral' -%}
    {%- set advocacy_signals = 'referrals_converted_in_window' -%}
{%- else -%}
    {{ exceptions.raise_compiler_error(
        "var 'kox_advocacy_signal' must be referral_or_share or referral, got " ~ var('kox_advocacy_signal')) }}
{%- endif -%}
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
        net_amount_in_window,
        referrals_converted_in_window,
        shares_in_window + ugc_posts_in_window as recommendations_in_window,
        as_of_date
    from members
    where purchases_lifetime > 0
),

signalled as (
    select
        *,
        {{ advocacy_signals }} as advocacy_signals_in_window
    from buyers
),

tiered as (
    select
        *,
        case
            when advocacy_signals_in_window > 0 then 'advocate'
            when purchases_lifetime = 1 then 'explorer'
            else 'enthusiast'
        end as kox_tier
    from signalled
),

final as (
    select
        tiered.member_id,
        tiered.kox_tier,
        tiers.recommended_treatment,
        tiers.recommended_treatment_zh,
        tiered.purchases_lifetime,
        tiered.advocacy_signals_in_window,
        tiered.net_amount_in_window,
        case
            when tiered.kox_tier = 'enthusiast' then tiered.purchases_lifetime between 2 and 3
        end as is_enthusiast_within_seed_range,
        tiered.as_of_date
    from tiered
    left join tiers on tiered.kox_tier = tiers.kox_tier
)

select * from final
