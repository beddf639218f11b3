{#- Dormancy per KOC and period (spec C12): the four behaviour metrics against their
    rolling baseline, which decline, the dormancy condition with its single-metric guard,
    and the state with hysteresis: while dormant the baseline is the one frozen when the
    KOC went dormant, and recovery is judged against it. -#}
{%- set keep = 1 - var('dormancy_min_drop_pct') -%}
{%- set metrics = ['posts', 'login_days', 'light_interactions', 'activity_joins'] -%}
with

evaluation as (
    select * from {{ ref('int_koc_dormancy_periods') }}
),

episodes as (
    select * from {{ ref('int_koc_dormancy_episodes') }}
),

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

-- the episode a period belongs to: from the period after going dormant to the waking period
judged_against as (
    select
        evaluation.koc_member_id,
        evaluation.period_index,
        episodes.episode_number,
        {%- for m in metrics %}
            episodes.frozen_baseline_{{ m }},
        {%- endfor %}
        (case when episodes.frozen_baseline_posts > 0 then 1 else 0 end)
        + (case when episodes.frozen_baseline_login_days > 0 then 1 else 0 end)
        + (case when episodes.frozen_baseline_light_interactions > 0 then 1 else 0 end)
        + (case when episodes.frozen_baseline_activity_joins > 0 then 1 else 0 end) as frozen_applicable_count,
        (case
            when
                episodes.frozen_baseline_posts > 0
                and evaluation.m_posts >= {{ keep }} * episodes.frozen_baseline_posts
                then 1
            else 0
        end)
        + (case
            when
                episodes.frozen_baseline_login_days > 0
                and evaluation.m_login_days >= {{ keep }} * episodes.frozen_baseline_login_days
                then 1
            else 0
        end)
        + (case
            when
                episodes.frozen_baseline_light_interactions > 0
                and evaluation.m_light_interactions >= {{ keep }} * episodes.frozen_baseline_light_interactions
                then 1
            else 0
        end)
        + (case
            when
                episodes.frozen_baseline_activity_joins > 0
                and evaluation.m_activity_joins >= {{ keep }} * episodes.frozen_baseline_activity_joins
                then 1
            else 0
        end) as recovered_count,
        episodes.frozen_baseline_login_days = 0
        or evaluation.m_login_days >= {{ keep }} * episodes.frozen_baseline_login_days as is_login_recovered
    from evaluation
    inner join episodes
        on
            evaluation.koc_member_id = episodes.koc_member_id
            and evaluation.period_index >= episodes.dormant_index
            and (episodes.woken_index is null or evaluation.period_index <= episodes.woken_index)
            and evaluation.terminal_status is null
),

final as (
    select
        evaluation.koc_member_id,
        roster.koc_level,
        roster.koc_status,
        case
            when roster.koc_status in ('blacklisted', 'graduated') then 'not_evaluated'
            when roster.is_dormant then 'dormant'
            when evaluation.declining_count >= 1 then 'at_risk'
            else 'active'
        end as dormancy_state,
        judged_against.episode_number,
        evaluation.period_index,
        {%- for m in metrics %}
            evaluation.m_{{ m }},
            evaluation.baseline_{{ m }},
            judged_against.frozen_baseline_{{ m }},
        {%- endfor %}
        evaluation.applicable_count,
        evaluation.declining_count,
        judged_against.recovered_count,
        judged_against.frozen_applicable_count,
        {%- for m in metrics %}
            evaluation.is_applicable_{{ m }},
            evaluation.is_declining_{{ m }},
        {%- endfor %}
        evaluation.has_full_baseline,
        evaluation.meets_dormancy_condition,
        coalesce(
            judged_against.recovered_count * 2 >= judged_against.frozen_applicable_count
            {%- if var('dormancy_require_login_decline') %}
                and judged_against.is_login_recovered
            {%- endif %}
            and evaluation.period_index > episodes_start.dormant_index,
            false
        ) as meets_recovery_condition,
        roster.is_dormant,
        roster.koc_status in ('active', 'dormant') and not roster.is_dormant
        and evaluation.declining_count >= 1 as is_at_risk,
        roster.period_start,
        roster.dormant_since_date
    from evaluation
    inner join roster
        on
            evaluation.koc_member_id = roster.koc_member_id
            and evaluation.period_index = roster.period_index
    left join judged_against
        on
            evaluation.koc_member_id = judged_against.koc_member_id
            and evaluation.period_index = judged_against.period_index
    left join episodes as episodes_start
        on
            judged_against.koc_member_id = episodes_start.koc_member_id
            and judged_against.episode_number = episodes_start.episode_number
)

{{ select_declared_types('final') }}
