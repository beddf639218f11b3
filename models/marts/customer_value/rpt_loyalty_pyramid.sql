with

pyramid as (
    select * from {{ ref('fct_loyalty_pyramid') }}
),

tiers as (
    select * from {{ ref('ref_kox_tiers') }}
),

per_tier as (
    select
        kox_tier,
        count(*) as members,
        sum(net_amount_in_window) as net_amount_in_window,
        avg(purchases_lifetime) as average_purchases_lifetime
    from pyramid
    group by kox_tier
),

totals as (
    select
        count(*) as members,
        sum(net_amount_in_window) as net_amount_in_window,
        max(as_of_date) as as_of_date
    from pyramid
),

final as (
    select
        tiers.kox_tier,
        tiers.recommended_treatment,
        tiers.recommended_treatment_zh,
        tiers.tier_order,
        coalesce(per_tier.members, 0) as members,
        coalesce(per_tier.members, 0) * 1.0 / nullif(totals.members, 0) as member_share,
        coalesce(per_tier.net_amount_in_window, 0) as net_amount_in_window,
        -- floating point on every engine (Spark's decimal division rounds)
        cast(coalesce(per_tier.net_amount_in_window, 0) as {{ type_double() }})
        / nullif(totals.net_amount_in_window, 0)
            as net_amount_share,
        per_tier.average_purchases_lifetime,
        totals.as_of_date
    from tiers
    cross join totals
    left join per_tier on tiers.kox_tier = per_tier.kox_tier
)

{{ select_declared_types('final') }}
