{#- Rolling dormancy evaluation per KOC and period (spec C12 steps 1-6): each behaviour
    metric against the mean of the baseline periods just before the evaluation window. -#}
{%- set w = var('dormancy_window_periods') -%}
{%- set b = var('dormancy_baseline_periods') -%}
{%- set keep = 1 - var('dormancy_min_drop_pct') -%}
{%- set metrics = ['posts', 'login_days', 'light_interactions', 'activity_joins'] -%}
with

member_periods as (
    select * from {{ ref('int_koc_member_periods') }}
),

-- rows are contiguous periods from entry, so row frames count periods
framed as (
    select
        koc_member_id,
        koc_level,
        terminal_status,
        period_index,
        period_start,
        {%- for m in metrics %}
            {{ m }} as m_{{ m }},
            avg({{ m }} * 1.0) over (
                partition by koc_member_id order by period_index
                rows between {{ w + b - 1 }} preceding and {{ w }} preceding
            ) as baseline_{{ m }},
            max({{ m }}) over (
                partition by koc_member_id order by period_index
                rows between {{ w - 1 }} preceding and current row
            ) as window_max_{{ m }},
            -- a rise from one period to the next breaks a "sustained" decline
            case
                when {{ m }} > lag({{ m }}) over (partition by koc_member_id order by period_index) then 1
                else 0
            end as rise_{{ m }},
        {%- endfor %}
        count(*) over (
            partition by koc_member_id order by period_index
            rows between {{ w + b - 1 }} preceding and current row
        ) as periods_seen
    from member_periods
),

-- no rise within the window's periods (a one-period window cannot rise)
sustained as (
    select
        *,
        {%- for m in metrics %}
            sum(rise_{{ m }}) over (
                partition by koc_member_id order by period_index
                rows between {{ [w - 2, 0] | max }} preceding and current row
            ) - case when {{ w }} > 1 then 0 else rise_{{ m }} end = 0 as is_non_increasing_{{ m }},
        {%- endfor %}
        periods_seen >= {{ w + b }} as has_full_baseline
    from framed
),

flagged as (
    select
        *,
        {%- for m in metrics %}
            coalesce(baseline_{{ m }} > 0, false) as is_applicable_{{ m }},
            coalesce(
                baseline_{{ m }} > 0
                and window_max_{{ m }} <= {{ keep }} * baseline_{{ m }}
                {%- if var('dormancy_require_non_increasing') %}
                and is_non_increasing_{{ m }}
            {%- endif %},
                false
            ) as is_declining_{{ m }},
        {%- endfor %}
        1 as flagged_marker
    from sustained
),

counted as (
    select
        *,
        (case when is_applicable_posts then 1 else 0 end)
        + (case when is_applicable_login_days then 1 else 0 end)
        + (case when is_applicable_light_interactions then 1 else 0 end)
        + (case when is_applicable_activity_joins then 1 else 0 end) as applicable_count,
        (case when is_declining_posts then 1 else 0 end)
        + (case when is_declining_login_days then 1 else 0 end)
        + (case when is_declining_light_interactions then 1 else 0 end)
        + (case when is_declining_activity_joins then 1 else 0 end) as declining_count
    from flagged
),

final as (
    select
        koc_member_id,
        koc_level,
        terminal_status,
        period_index,
        {%- for m in metrics %}
            m_{{ m }},
            cast(baseline_{{ m }} as decimal(12, 4)) as baseline_{{ m }},
        {%- endfor %}
        applicable_count,
        declining_count,
        {%- for m in metrics %}
            is_applicable_{{ m }},
            is_declining_{{ m }},
        {%- endfor %}
        has_full_baseline,
        -- the single-metric guard: at least two applicable metrics and a clear majority declining
        coalesce(
            terminal_status is null
            {%- if var('dormancy_core_levels_only') %}
                and koc_level in ('potential', 'important')
            {%- endif %}
            and has_full_baseline
            and applicable_count >= 2
            and declining_count >= 2
            and declining_count * 1.0 / applicable_count >= {{ var('dormancy_majority_share') }}
            {%- if var('dormancy_require_login_decline') %}
                and (is_declining_login_days or not is_applicable_login_days)
            {%- endif %},
            false
        ) as meets_dormancy_condition,
        period_start
    from counted
)

select * from final
