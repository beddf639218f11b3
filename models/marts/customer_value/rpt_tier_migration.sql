with

history as (
    select * from {{ ref('fct_member_tier_history') }}
),

tiers_long as (
    select
        member_id,
        'rfm_segment' as tier_dimension,
        rfm_segment as tier,
        tier_month
    from history
    union all
    select
        member_id,
        'kox_tier' as tier_dimension,
        kox_tier as tier,
        tier_month
    from history
    union all
    select
        member_id,
        'member_level' as tier_dimension,
        member_level as tier,
        tier_month
    from history
),

moves as (
    select
        current_month.tier_dimension,
        previous_month.tier as from_tier,
        current_month.tier as to_tier,
        current_month.tier_month
    from tiers_long as current_month
    inner join tiers_long as previous_month
        on
            current_month.member_id = previous_month.member_id
            and current_month.tier_dimension = previous_month.tier_dimension
            and previous_month.tier_month = {{ dbt.dateadd('month', -1, 'current_month.tier_month') }}
),

final as (
    select
        tier_dimension,
        from_tier,
        to_tier,
        count(*) as members,
        from_tier != to_tier as is_change,
        tier_month
    from moves
    group by tier_dimension, from_tier, to_tier, tier_month
)

{{ select_declared_types('final') }}
