{#- Repurchase rate by band of five candidate drivers (domain spec C26, driver analysis without ML):
    buyers as of as_of_date grouped by their mean service rating, onboarding completion, group
    membership, KOX tier and acquisition channel; the repurchase rate is the share of buyers with a
    repeat purchase day (D62), and lift compares each band with the rate of all buyers. Descriptive:
    a band's lift is an association, not an effect. -#}
{%- set low_max = var('driver_service_rating_low_max') -%}
{%- set high_min = var('driver_service_rating_high_min') -%}
{%- if not (low_max is number and high_min is number and low_max < high_min) -%}
    {{ exceptions.raise_compiler_error(
        "vars 'driver_service_rating_low_max' (" ~ low_max ~ ") and 'driver_service_rating_high_min' ("
        ~ high_min ~ ") must be numbers with low_max < high_min") }}
{%- endif -%}
with

members as (
    select * from {{ ref('fct_members') }}
    where purchases_lifetime > 0
),

profiles as (
    select * from {{ ref('dim_members') }}
),

onboarding as (
    select * from {{ ref('fct_member_onboarding') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

ratings as (
    select
        member_id,
        avg(cast(score as {{ type_double() }})) as mean_service_rating
    from interactions
    where event_type = 'service_rating' and score is not null
    group by member_id
),

buyers as (
    select
        members.member_id,
        members.is_repeat_customer,
        case
            when ratings.mean_service_rating is null then 'no_rating'
            when ratings.mean_service_rating <= {{ low_max }} then 'low'
            when ratings.mean_service_rating >= {{ high_min }} then 'high'
            else 'medium'
        end as service_rating_band,
        case
            when onboarding.max_step_reached_strict >= {{ var('driver_onboarding_complete_step') }} then 'completed'
            when onboarding.max_step_reached_strict >= 1 then 'partial'
            else 'not_started'
        end as onboarding_band,
        case
            when cast(profiles.group_joined_at as date) <= members.as_of_date then 'in_group'
            else 'not_in_group'
        end as group_band,
        -- the pyramid's rule (macro kox_tier), applied to the same member facts as fct_loyalty_pyramid
        {{ kox_tier(
            kox_advocacy_signals('members.referrals_converted_in_window', 'members.shares_in_window',
                                 'members.ugc_posts_in_window'),
            'members.purchase_days_lifetime') }} as kox_tier_band,
        coalesce(profiles.acquisition_channel, 'unknown') as acquisition_channel_band,
        members.as_of_date
    from members
    inner join profiles on members.member_id = profiles.member_id
    left join onboarding on members.member_id = onboarding.member_id
    left join ratings on members.member_id = ratings.member_id
),

banded as (
    {%- for driver in ['service_rating', 'onboarding', 'group', 'kox_tier', 'acquisition_channel'] %}
        select
            '{{ driver }}' as driver,
            {{ driver }}_band as band,
            member_id,
            is_repeat_customer,
            as_of_date
        from buyers
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

baseline as (
    select
        count(*) as baseline_buyers,
        {{ sum_if('is_repeat_customer', 1) }} as baseline_repeat_buyers
    from buyers
),

bands as (
    select
        driver,
        band,
        count(*) as buyers,
        {{ sum_if('is_repeat_customer', 1) }} as repeat_buyers,
        max(as_of_date) as as_of_date
    from banded
    group by driver, band
),

final as (
    select
        bands.driver,
        bands.band,
        bands.buyers,
        bands.repeat_buyers,
        baseline.baseline_buyers,
        cast(bands.repeat_buyers as {{ type_double() }}) / bands.buyers as repurchase_rate,
        cast(baseline.baseline_repeat_buyers as {{ type_double() }}) / baseline.baseline_buyers
            as baseline_repurchase_rate,
        case
            when baseline.baseline_repeat_buyers > 0
                then
                    (cast(bands.repeat_buyers as {{ type_double() }}) / bands.buyers)
                    / (cast(baseline.baseline_repeat_buyers as {{ type_double() }}) / baseline.baseline_buyers)
        end as lift_vs_baseline,
        cast(bands.buyers as {{ type_double() }}) / baseline.baseline_buyers as buyer_share,
        bands.as_of_date
    from bands
    cross join baseline
)

{{ select_declared_types('final') }}
