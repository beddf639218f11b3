{#- KOC leaderboard per period (spec C11): posts, interactions received and public
    exposure of the period, a weighted 0-100 score of their percent ranks, and dense,
    unique ranks. Ties: score desc, interactions desc, exposure desc, member id asc. -#}
{%- set weights = validate_weights('koc_leaderboard_weights', ['posts', 'interactions', 'exposure']) -%}
with

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

-- blacklisted and graduated KOCs are not ranked
eligible as (
    select
        koc_member_id,
        koc_level,
        koc_status,
        period_index,
        posts,
        interactions_received,
        public_exposure,
        period_start
    from roster
    where koc_status in ('active', 'dormant')
),

normalised as (
    select
        *,
        percent_rank() over (partition by period_index order by posts) as posts_percent_rank,
        percent_rank() over (partition by period_index order by interactions_received) as interactions_percent_rank,
        percent_rank() over (partition by period_index order by public_exposure) as exposure_percent_rank
    from eligible
),

scored as (
    select
        *,
        cast(round(cast(100 * (
            {{ weights['posts'] }} * posts_percent_rank
            + {{ weights['interactions'] }} * interactions_percent_rank
            + {{ weights['exposure'] }} * exposure_percent_rank
        ) as {{ dbt.type_numeric() }}), 2) as decimal(5, 2)) as koc_score
    from normalised
),

final as (
    select
        koc_member_id,
        koc_level,
        koc_status,
        period_index,
        posts,
        interactions_received,
        public_exposure,
        cast(posts_percent_rank as decimal(9, 6)) as posts_percent_rank,
        cast(interactions_percent_rank as decimal(9, 6)) as interactions_percent_rank,
        cast(exposure_percent_rank as decimal(9, 6)) as exposure_percent_rank,
        cast({{ weights['posts'] }} as decimal(12, 10)) as weight_posts,
        cast({{ weights['interactions'] }} as decimal(12, 10)) as weight_interactions,
        cast({{ weights['exposure'] }} as decimal(12, 10)) as weight_exposure,
        koc_score,
        cast(row_number() over (
            partition by period_index
            order by koc_score desc, interactions_received desc, public_exposure desc, koc_member_id asc
        ) as {{ dbt.type_int() }}) as koc_rank,
        cast(row_number() over (
            partition by period_index, koc_level
            order by koc_score desc, interactions_received desc, public_exposure desc, koc_member_id asc
        ) as {{ dbt.type_int() }}) as koc_rank_in_level,
        period_start
    from scored
)

{{ select_declared_types('final') }}
