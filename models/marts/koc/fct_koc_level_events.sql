{#- The transitions of the KOC state machine, in the order they apply within a period:
    entered, eliminated, a level change (upgraded / downgraded), then a status change
    (went_dormant, woken, blacklisted, graduated). Each event's from-state is the previous
    event's to-state, so replaying the events gives the roster state of every period. -#}
{%- set elim_n = var('koc_elim_consecutive_poor') -%}
with

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

kocs as (
    select * from {{ ref('int_koc_members') }}
),

member_periods as (
    select * from {{ ref('int_koc_member_periods') }}
),

evaluation as (
    select * from {{ ref('int_koc_dormancy_periods') }}
),

participations as (
    select * from {{ ref('int_koc_participations') }}
),

-- the participation whose poor review completed the streak, the latest one in the period
eliminating_reviews as (
    select
        member_id,
        participation_id,
        campaign_id,
        poor_review_streak,
        post_published_at,
        row_number() over (partition by member_id, post_published_at order by participation_id desc)
            as tie_rank
    from participations
    where is_elimination
),

with_previous as (
    select
        roster.*,
        lag(roster.koc_level) over (partition by roster.koc_member_id order by roster.period_index)
            as previous_level,
        lag(roster.koc_status) over (partition by roster.koc_member_id order by roster.period_index)
            as previous_status,
        member_periods.is_eliminated_in_period,
        evaluation.declining_count,
        evaluation.applicable_count
    from roster
    inner join member_periods
        on
            roster.koc_member_id = member_periods.koc_member_id
            and roster.period_index = member_periods.period_index
    inner join evaluation
        on
            roster.koc_member_id = evaluation.koc_member_id
            and roster.period_index = evaluation.period_index
),

entered as (
    select
        with_previous.koc_member_id,
        'entered' as event_type,
        'new' as to_level,
        'active' as to_status,
        'first_all_category_share' as rule_fired,
        kocs.entry_campaign_id as evidence_campaign_id,
        kocs.entry_reference as evidence_reference,
        cast(null as {{ dbt.type_string() }}) as evidence_reason,
        with_previous.period_index,
        1 as event_sequence,
        kocs.koc_since_at as event_at
    from with_previous
    inner join kocs on with_previous.koc_member_id = kocs.koc_member_id
    where with_previous.previous_status is null
),

eliminated as (
    select
        with_previous.koc_member_id,
        'eliminated' as event_type,
        'new' as to_level,
        coalesce(with_previous.previous_status, 'active') as to_status,
        'consecutive_poor_reviews' as rule_fired,
        eliminating_reviews.campaign_id as evidence_campaign_id,
        eliminating_reviews.participation_id as evidence_reference,
        cast(null as {{ dbt.type_string() }}) as evidence_reason,
        with_previous.period_index,
        2 as event_sequence,
        with_previous.last_eliminated_at as event_at
    from with_previous
    inner join eliminating_reviews
        on
            with_previous.koc_member_id = eliminating_reviews.member_id
            and with_previous.last_eliminated_at = eliminating_reviews.post_published_at
            and eliminating_reviews.tie_rank = 1
    where with_previous.is_eliminated_in_period
),

level_changed as (
    select
        koc_member_id,
        case
            when
                (case koc_level when 'important' then 3 when 'potential' then 2 else 1 end)
                > (case level_before when 'important' then 3 when 'potential' then 2 else 1 end)
                then 'upgraded'
            else 'downgraded'
        end as event_type,
        koc_level as to_level,
        coalesce(previous_status, 'active') as to_status,
        case koc_level
            when 'important' then 'upgrade_progress_reached_1'
            when 'potential' then 'upgrade_progress_in_potential_band'
            else 'upgrade_progress_below_potential'
        end as rule_fired,
        cast(null as {{ dbt.type_string() }}) as evidence_campaign_id,
        cast(null as {{ dbt.type_string() }}) as evidence_reference,
        cast(null as {{ dbt.type_string() }}) as evidence_reason,
        period_index,
        3 as event_sequence,
        cast(evaluated_at_date as {{ dbt.type_timestamp() }}) as event_at
    from (
        select
            *,
            case
                when previous_status is null or is_eliminated_in_period then 'new'
                else previous_level
            end as level_before
        from with_previous
    ) as leveled
    where koc_level != level_before
),

status_changed as (
    select
        with_previous.koc_member_id,
        case with_previous.koc_status
            when 'dormant' then 'went_dormant'
            when 'active' then 'woken'
            else with_previous.koc_status
        end as event_type,
        with_previous.koc_level as to_level,
        with_previous.koc_status as to_status,
        case with_previous.koc_status
            when 'dormant' then 'most_metrics_declining'
            when 'active' then 'recovered_against_frozen_baseline'
            when 'blacklisted' then 'review_feedback_' || kocs.blacklist_reason
            else 'graduation_' || kocs.graduation_trigger
        end as rule_fired,
        case when with_previous.koc_status = 'blacklisted' then kocs.blacklist_campaign_id end
            as evidence_campaign_id,
        case when with_previous.koc_status = 'blacklisted' then kocs.blacklist_participation_id end
            as evidence_reference,
        case
            when with_previous.koc_status = 'blacklisted' then kocs.blacklist_reason
            when with_previous.koc_status = 'graduated' then kocs.graduation_reason
            else
                cast(with_previous.declining_count as {{ dbt.type_string() }})
                || ' of ' || cast(with_previous.applicable_count as {{ dbt.type_string() }})
                || ' metrics declining'
        end as evidence_reason,
        with_previous.period_index,
        4 as event_sequence,
        case with_previous.koc_status
            when 'blacklisted' then kocs.blacklisted_at
            when 'graduated' then kocs.graduated_at
            else cast(with_previous.evaluated_at_date as {{ dbt.type_timestamp() }})
        end as event_at
    from with_previous
    inner join kocs on with_previous.koc_member_id = kocs.koc_member_id
    where with_previous.koc_status != coalesce(with_previous.previous_status, 'active')
),

unioned as (
    select * from entered
    union all
    select * from eliminated
    union all
    select * from level_changed
    union all
    select * from status_changed
),

chained as (
    select
        unioned.*,
        lag(unioned.to_level) over (
            partition by unioned.koc_member_id order by unioned.period_index, unioned.event_sequence
        ) as from_level,
        lag(unioned.to_status) over (
            partition by unioned.koc_member_id order by unioned.period_index, unioned.event_sequence
        ) as from_status
    from unioned
),

final as (
    select
        chained.koc_member_id || '-' || cast(chained.period_index as {{ dbt.type_string() }})
        || '-' || cast(chained.event_sequence as {{ dbt.type_string() }}) as koc_event_id,
        chained.koc_member_id,
        chained.event_type,
        chained.from_level,
        chained.to_level,
        chained.from_status,
        chained.to_status,
        chained.rule_fired,
        chained.evidence_campaign_id,
        chained.evidence_reference,
        chained.evidence_reason,
        chained.period_index,
        chained.event_sequence,
        roster.window_posts,
        roster.window_interactions,
        roster.upgrade_progress,
        case when chained.event_type = 'eliminated' then {{ elim_n }} else roster.poor_review_streak end
            as poor_review_streak,
        roster.period_start,
        cast(chained.event_at as date) as event_date,
        chained.event_at
    from chained
    inner join roster
        on
            chained.koc_member_id = roster.koc_member_id
            and chained.period_index = roster.period_index
)

{{ select_declared_types('final') }}
