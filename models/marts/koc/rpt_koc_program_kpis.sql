{%- set conversion_days = var('koc_conversion_window_days') -%}
{#- The programme's core metrics per period (spec C10): KOC count by level, UGC posts,
    public exposure and interactions of KOC posts, the flows from the level events,
    the new-to-important conversion of the cohort that entered one to two conversion windows
    earlier (koc_conversion_window_days, 90 by default), and how many wake-up messages to
    dormant KOCs worked (fct_koc_wake_ups). -#}
with

periods as (
    select * from {{ ref('int_koc_periods') }}
),

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

events as (
    select * from {{ ref('fct_koc_level_events') }}
),

wake_ups as (
    select * from {{ ref('fct_koc_wake_ups') }}
),

stocks as (
    select
        period_index,
        {{ sum_if("koc_status in ('active', 'dormant')", 1) }} as koc_count,
        {{ sum_if("koc_status in ('active', 'dormant') and koc_level = 'new'", 1) }} as koc_count_new,
        {{ sum_if("koc_status in ('active', 'dormant') and koc_level = 'potential'", 1) }} as koc_count_potential,
        {{ sum_if("koc_status in ('active', 'dormant') and koc_level = 'important'", 1) }} as koc_count_important,
        {{ sum_if("koc_status = 'dormant'", 1) }} as dormant_count,
        sum(posts) as ugc_post_count,
        sum(public_exposure) as public_exposure_count,
        sum(interactions_received) as ugc_interaction_count
    from roster
    group by period_index
),

flows as (
    select
        period_index,
        {{ sum_if("event_type = 'entered'", 1) }} as new_kocs_entered,
        {{ sum_if("event_type = 'upgraded'", 1) }} as upgrades,
        {{ sum_if("event_type = 'upgraded' and to_level = 'important'", 1) }} as upgrades_to_important,
        {{ sum_if("event_type = 'downgraded'", 1) }} as downgrades,
        {{ sum_if("event_type = 'eliminated'", 1) }} as eliminations,
        {{ sum_if("event_type = 'blacklisted'", 1) }} as blacklists,
        {{ sum_if("event_type = 'went_dormant'", 1) }} as went_dormant_count,
        {{ sum_if("event_type = 'woken'", 1) }} as woken_count,
        {{ sum_if("event_type = 'graduated'", 1) }} as graduations
    from events
    group by period_index
),

first_important as (
    select
        koc_member_id,
        min(event_date) as first_important_date
    from events
    where to_level = 'important'
    group by koc_member_id
),

entries as (
    select
        events.koc_member_id,
        events.event_date as entered_date,
        first_important.first_important_date
    from events
    left join first_important on events.koc_member_id = first_important.koc_member_id
    where events.event_type = 'entered'
),

-- KOCs who entered one to two windows before the period end, and reached important within one window
conversion as (
    select
        periods.period_index,
        count(*) as conversion_cohort_size,
        sum(case
            when entries.first_important_date <= {{ dbt.dateadd('day', conversion_days, 'entries.entered_date') }}
                then 1
            else 0
        end) as conversion_cohort_converted
    from periods
    inner join entries
        on
            entries.entered_date > {{ dbt.dateadd('day', -2 * conversion_days, 'periods.evaluated_at_date') }}
            and entries.entered_date <= {{ dbt.dateadd('day', -conversion_days, 'periods.evaluated_at_date') }}
    group by periods.period_index
),

wake_up_outcomes as (
    select
        period_index,
        count(distinct koc_member_id) as wake_up_recipients,
        count(distinct case when is_woken_in_time then koc_member_id end) as woken_after_wake_up,
        min(case when is_followup_complete then 1 else 0 end) as is_followup_complete
    from wake_ups
    group by period_index
),

final as (
    select
        periods.period_index,
        coalesce(stocks.koc_count, 0) as koc_count,
        coalesce(stocks.koc_count_new, 0) as koc_count_new,
        coalesce(stocks.koc_count_potential, 0) as koc_count_potential,
        coalesce(stocks.koc_count_important, 0) as koc_count_important,
        coalesce(stocks.dormant_count, 0) as dormant_count,
        coalesce(stocks.ugc_post_count, 0) as ugc_post_count,
        coalesce(stocks.public_exposure_count, 0) as public_exposure_count,
        coalesce(stocks.ugc_interaction_count, 0) as ugc_interaction_count,
        coalesce(flows.new_kocs_entered, 0) as new_kocs_entered,
        coalesce(flows.upgrades, 0) as upgrades,
        coalesce(flows.upgrades_to_important, 0) as upgrades_to_important,
        coalesce(flows.downgrades, 0) as downgrades,
        coalesce(flows.eliminations, 0) as eliminations,
        coalesce(flows.blacklists, 0) as blacklists,
        coalesce(flows.went_dormant_count, 0) as went_dormant_count,
        coalesce(flows.woken_count, 0) as woken_count,
        coalesce(flows.graduations, 0) as graduations,
        cast(case
            when stocks.koc_count > 0 then stocks.koc_count_important * 1.0 / stocks.koc_count
        end as decimal(9, 4)) as important_share,
        cast(case
            when stocks.koc_count > 0 then stocks.ugc_post_count * 1.0 / stocks.koc_count
        end as decimal(12, 4)) as avg_posts_per_koc,
        coalesce(conversion.conversion_cohort_size, 0) as conversion_cohort_size,
        cast(case
            when conversion.conversion_cohort_size > 0
                then conversion.conversion_cohort_converted * 1.0 / conversion.conversion_cohort_size
        end as decimal(9, 4)) as new_to_important_conversion_90d,
        coalesce(wake_up_outcomes.wake_up_recipients, 0) as wake_up_recipients,
        coalesce(wake_up_outcomes.woken_after_wake_up, 0) as woken_after_wake_up,
        cast(case
            when wake_up_outcomes.wake_up_recipients > 0 and wake_up_outcomes.is_followup_complete = 1
                then wake_up_outcomes.woken_after_wake_up * 1.0 / wake_up_outcomes.wake_up_recipients
        end as decimal(9, 4)) as wakeup_success_rate,
        periods.period_start,
        periods.period_end
    from periods
    left join stocks on periods.period_index = stocks.period_index
    left join flows on periods.period_index = flows.period_index
    left join conversion on periods.period_index = conversion.period_index
    left join wake_up_outcomes on periods.period_index = wake_up_outcomes.period_index
)

{{ select_declared_types('final') }}
