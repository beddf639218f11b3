{#- The onboarding funnel by acquisition week and channel (domain spec C23) in two variants:
    strict (a step counts only when every earlier step of the seed order is reached too, so counts
    never increase) and loose (each step counted on its own; follow and first order have no fixed order). -#}
with

member_steps as (
    select * from {{ ref('int_onboarding_member_steps') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

koc_influence as (
    select * from {{ ref('int_first_order_koc_influence') }}
),

variants as (
    select 'strict' as funnel_variant
    union all
    select 'loose' as funnel_variant
),

counted as (
    select
        member_steps.acquisition_channel,
        variants.funnel_variant,
        member_steps.step_order,
        member_steps.step,
        member_steps.days_from_acquisition,
        case
            when variants.funnel_variant = 'strict' then member_steps.is_reached_strict
            else member_steps.is_reached
        end as is_counted,
        -- only the first-order step carries the KOC influence of that order
        case when member_steps.step = 'first_order' then koc_influence.is_koc_influenced end as is_koc_influenced,
        member_steps.acquisition_week
    from member_steps
    cross join variants
    left join koc_influence on member_steps.member_id = koc_influence.member_id
),

steps as (
    select
        acquisition_week,
        acquisition_channel,
        funnel_variant,
        step_order,
        step,
        count(*) as members_acquired,
        {{ sum_if('is_counted', 1) }} as members_reached,
        {{ sum_if('is_counted and is_koc_influenced', 1) }} as koc_influenced_first_orders,
        {{ retention_median('case when is_counted then days_from_acquisition end') }}
            as median_days_from_acquisition
    from counted
    group by acquisition_week, acquisition_channel, funnel_variant, step_order, step
),

final as (
    select
        steps.acquisition_channel,
        steps.funnel_variant,
        steps.step,
        steps.step_order,
        cast(steps.members_acquired as {{ dbt.type_int() }}) as members_acquired,
        cast(steps.members_reached as {{ dbt.type_int() }}) as members_reached,
        cast(
            1.0 * steps.members_reached / nullif(lag(steps.members_reached) over (
                partition by steps.acquisition_week, steps.acquisition_channel, steps.funnel_variant
                order by steps.step_order
            ), 0) as decimal(10, 6)
        ) as conv_from_prev,
        cast(1.0 * steps.members_reached / steps.members_acquired as decimal(10, 6)) as conv_from_start,
        cast(steps.median_days_from_acquisition as decimal(10, 2)) as median_days_from_acquisition,
        cast(
            case
                when steps.step = 'first_order' and steps.members_reached > 0
                    then 1.0 * steps.koc_influenced_first_orders / steps.members_reached
            end as decimal(10, 6)
        ) as first_order_koc_influenced_share,
        -- every member of the week has had the whole onboarding window by as_of_date
        {{ dbt.dateadd('day', 6 + var('onboarding_window_days'), 'steps.acquisition_week') }}
        <= as_of.as_of_date as is_window_complete,
        steps.acquisition_week
    from steps
    cross join as_of
)

{{ select_declared_types('final') }}
