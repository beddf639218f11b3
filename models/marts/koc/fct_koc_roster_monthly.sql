{#- The KOC roster per period: level from the replayed state machine, status with the
    precedence graduated > blacklisted > dormant > active, progress to the next level,
    window metrics and KOC R/F/M scores among the KOCs still in the programme. -#}
{%- set bins = var('rfm_score_bins') -%}
{%- set potential_min = var('koc_potential_progress_min') -%}
with

member_periods as (
    select * from {{ ref('int_koc_member_periods') }}
),

kocs as (
    select * from {{ ref('int_koc_members') }}
),

episodes as (
    select * from {{ ref('int_koc_dormancy_episodes') }}
),

periods as (
    select * from {{ ref('int_koc_periods') }}
),

participations as (
    select * from {{ ref('int_koc_participations') }}
),

posts as (
    select * from {{ ref('int_ugc_posts_with_latest_metrics') }}
),

dormancy as (
    select
        member_periods.koc_member_id,
        member_periods.period_index,
        max(dormant_periods.period_start) as dormant_since_date
    from member_periods
    inner join episodes
        on
            member_periods.koc_member_id = episodes.koc_member_id
            and member_periods.period_index >= episodes.dormant_index
            and (episodes.woken_index is null or member_periods.period_index < episodes.woken_index)
    inner join periods as dormant_periods on episodes.dormant_index = dormant_periods.period_index
    group by member_periods.koc_member_id, member_periods.period_index
),

-- last programme activity (a UGC post or a KOC campaign participation) up to each period end
touches as (
    select
        member_id,
        published_at as touched_at
    from posts
    union all
    select
        member_id,
        joined_at as touched_at
    from participations
),

last_touch as (
    select
        member_periods.koc_member_id,
        member_periods.period_index,
        max(touches.touched_at) as last_touched_at
    from member_periods
    inner join touches
        on
            member_periods.koc_member_id = touches.member_id
            and touches.touched_at < {{ dbt.dateadd('day', 1, 'member_periods.evaluated_at_date') }}
    group by member_periods.koc_member_id, member_periods.period_index
),

stated as (
    select
        member_periods.*,
        kocs.koc_since_at,
        kocs.blacklisted_at,
        kocs.graduated_at,
        -- a dormancy episode can outlast a blacklisting or graduation, which take precedence
        case when member_periods.terminal_status is null then dormancy.dormant_since_date end as dormant_since_date,
        coalesce(
            member_periods.terminal_status,
            case when dormancy.koc_member_id is not null then 'dormant' else 'active' end
        ) as koc_status,
        {{ dbt.datediff('cast(last_touch.last_touched_at as date)', 'member_periods.evaluated_at_date', 'day') }}
            as koc_recency_days
    from member_periods
    inner join kocs on member_periods.koc_member_id = kocs.koc_member_id
    left join dormancy
        on
            member_periods.koc_member_id = dormancy.koc_member_id
            and member_periods.period_index = dormancy.period_index
    left join last_touch
        on
            member_periods.koc_member_id = last_touch.koc_member_id
            and member_periods.period_index = last_touch.period_index
),

-- R/F/M among the KOCs still in the programme; no programme activity ranks as least recent
scored as (
    select
        koc_member_id,
        period_index,
        {{ score_bin('coalesce(koc_recency_days, 999999) desc', bins, 'period_index') }} as koc_r_score,
        {{ score_bin('window_posts', bins, 'period_index') }} as koc_f_score,
        {{ score_bin('window_interactions', bins, 'period_index') }} as koc_m_score
    from stated
    where koc_status in ('active', 'dormant')
),

final as (
    select
        stated.koc_member_id,
        stated.koc_level,
        stated.koc_status,
        case stated.koc_level when 'new' then 'potential' when 'potential' then 'important' end as next_level,
        stated.period_index,
        stated.upgrade_progress,
        cast(case stated.koc_level
            when 'new' then least(1, stated.upgrade_progress / {{ potential_min }})
            when 'potential' then least(1, stated.upgrade_progress)
        end as decimal(12, 4)) as progress_to_next_level,
        stated.posts,
        stated.public_posts,
        stated.interactions_received,
        stated.public_exposure,
        stated.window_posts,
        stated.window_interactions,
        stated.eliminations_to_date,
        stated.poor_review_streak,
        stated.koc_recency_days,
        stated.window_posts as koc_frequency,
        stated.window_interactions as koc_monetary,
        scored.koc_r_score,
        scored.koc_f_score,
        scored.koc_m_score,
        stated.koc_status = 'dormant' as is_dormant,
        stated.koc_status = 'active' and stated.koc_level = 'important' as is_review_eligible,
        stated.koc_status in ('active', 'dormant') as is_share_eligible,
        stated.period_start,
        stated.period_end,
        stated.evaluated_at_date,
        cast(stated.koc_since_at as date) as koc_since_date,
        stated.dormant_since_date,
        stated.last_eliminated_at,
        stated.blacklisted_at,
        stated.graduated_at
    from stated
    left join scored
        on
            stated.koc_member_id = scored.koc_member_id
            and stated.period_index = scored.period_index
)

{{ select_declared_types('final') }}
