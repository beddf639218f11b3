{#- Dormancy with hysteresis (spec C12 step 7), one row per dormancy episode. An episode
    starts at the first period meeting the dormancy condition whose baseline lies wholly
    after entry (or after the previous wake-up); its baseline is frozen there, and it ends
    at the first later period meeting the recovery condition against that frozen baseline.
    Episodes are chained by unrolling dormancy_max_episodes steps, which keeps the SQL
    portable (no recursive CTE). -#}
{%- set w = var('dormancy_window_periods') -%}
{%- set b = var('dormancy_baseline_periods') -%}
{%- set keep = 1 - var('dormancy_min_drop_pct') -%}
{%- set metrics = ['posts', 'login_days', 'light_interactions', 'activity_joins'] -%}
{%- set max_episodes = var('dormancy_max_episodes') -%}
with

evaluation as (
    select * from {{ ref('int_koc_dormancy_periods') }}
),

reset_0 as (
    select
        koc_member_id,
        min(period_index) as reset_index
    from evaluation
    group by koc_member_id
),
{%- for k in range(1, max_episodes + 1) %}

    start_{{ k }} as (
        select
            evaluation.koc_member_id,
            min(evaluation.period_index) as dormant_index
        from evaluation
        inner join reset_{{ k - 1 }} on evaluation.koc_member_id = reset_{{ k - 1 }}.koc_member_id
        where
            evaluation.meets_dormancy_condition
            and evaluation.period_index - {{ w + b - 1 }} >= reset_{{ k - 1 }}.reset_index
        group by evaluation.koc_member_id
    ),

    frozen_{{ k }} as (
        select
            start_{{ k }}.koc_member_id,
            {%- for m in metrics %}
                evaluation.baseline_{{ m }} as frozen_baseline_{{ m }},
            {%- endfor %}
            start_{{ k }}.dormant_index
        from start_{{ k }}
        inner join evaluation
            on
                start_{{ k }}.koc_member_id = evaluation.koc_member_id
                and start_{{ k }}.dormant_index = evaluation.period_index
    ),

    recovery_{{ k }} as (
        select
            frozen_{{ k }}.koc_member_id,
            evaluation.period_index,
            (case when frozen_{{ k }}.frozen_baseline_posts > 0 then 1 else 0 end)
            + (case when frozen_{{ k }}.frozen_baseline_login_days > 0 then 1 else 0 end)
            + (case when frozen_{{ k }}.frozen_baseline_light_interactions > 0 then 1 else 0 end)
            + (case when frozen_{{ k }}.frozen_baseline_activity_joins > 0 then 1 else 0 end)
                as frozen_applicable_count,
            (case
                when
                    frozen_{{ k }}.frozen_baseline_posts > 0
                    and evaluation.m_posts >= {{ keep }} * frozen_{{ k }}.frozen_baseline_posts
                    then 1
                else 0
            end)
            + (case
                when
                    frozen_{{ k }}.frozen_baseline_login_days > 0
                    and evaluation.m_login_days >= {{ keep }} * frozen_{{ k }}.frozen_baseline_login_days
                    then 1
                else 0
            end)
            + (case
                when
                    frozen_{{ k }}.frozen_baseline_light_interactions > 0
                    and evaluation.m_light_interactions
                    >= {{ keep }} * frozen_{{ k }}.frozen_baseline_light_interactions
                    then 1
                else 0
            end)
            + (case
                when
                    frozen_{{ k }}.frozen_baseline_activity_joins > 0
                    and evaluation.m_activity_joins >= {{ keep }} * frozen_{{ k }}.frozen_baseline_activity_joins
                    then 1
                else 0
            end) as recovered_count,
            frozen_{{ k }}.frozen_baseline_login_days = 0
            or evaluation.m_login_days >= {{ keep }} * frozen_{{ k }}.frozen_baseline_login_days as is_login_recovered
        from frozen_{{ k }}
        inner join evaluation
            on
                frozen_{{ k }}.koc_member_id = evaluation.koc_member_id
                and frozen_{{ k }}.dormant_index < evaluation.period_index
                and evaluation.terminal_status is null
    ),

    wake_{{ k }} as (
        select
            koc_member_id,
            min(period_index) as woken_index
        from recovery_{{ k }}
        where
            recovered_count * 2 >= frozen_applicable_count
            {%- if var('dormancy_require_login_decline') %}
                and is_login_recovered
            {%- endif %}
        group by koc_member_id
    ),

    episode_{{ k }} as (
        select
            frozen_{{ k }}.*,
            wake_{{ k }}.woken_index,
            {{ k }} as episode_number
        from frozen_{{ k }}
        left join wake_{{ k }} on frozen_{{ k }}.koc_member_id = wake_{{ k }}.koc_member_id
    ),

    reset_{{ k }} as (
        select
            koc_member_id,
            woken_index as reset_index
        from wake_{{ k }}
    ),
{%- endfor %}

episodes as (
    {%- for k in range(1, max_episodes + 1) %}
        {{ 'union all' if not loop.first }}
        select * from episode_{{ k }}
    {%- endfor %}
),

final as (
    select
        koc_member_id,
        episode_number,
        dormant_index,
        woken_index,
        frozen_baseline_posts,
        frozen_baseline_login_days,
        frozen_baseline_light_interactions,
        frozen_baseline_activity_joins
    from episodes
)

select * from final
